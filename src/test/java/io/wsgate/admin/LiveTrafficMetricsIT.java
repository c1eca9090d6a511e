package io.wsgate.admin;

import io.vertx.core.http.WebSocket;
import io.wsgate.policy.AdminSettings;
import io.wsgate.testing.AdminClient;
import io.wsgate.testing.Await;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.Test;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Message and byte counters move while a session is live, under its route and upstream, and the
 * total after it ends is exact: nothing is counted twice between the scrapes and the session's end.
 */
class LiveTrafficMetricsIT {
  private static final int MESSAGES = 40;
  private static final String PAYLOAD = "0123456789"; // 10 bytes

  @Test
  void countersReachTheLiveSessionsCountsBeforeItEndsAndStayExactAfter() throws Exception {
    try (EchoUpstream upstream = new EchoUpstream();
         GatewayHarness harness = new GatewayHarness(TestPolicy.create().route("/chat", upstream.url("/"))
             .route("/idle", upstream.url("/idle")).admin(AdminSettings.loopback(0)).build())) {
      AdminClient admin = new AdminClient(harness.gateway.adminPort());
      String chat = "{route=\"/chat\",upstream=\"" + upstream.url("/") + "\"";
      String up = "wsgate_messages_total" + chat + ",direction=\"to_upstream\"}";
      String down = "wsgate_messages_total" + chat + ",direction=\"to_client\"}";
      String bytesUp = "wsgate_message_bytes_total" + chat + ",direction=\"to_upstream\"}";

      WebSocket ws = Await.result(harness.connect("/chat"));
      BlockingQueue<String> echoes = new LinkedBlockingQueue<>();
      ws.textMessageHandler(echoes::add);
      for (int i = 0; i < MESSAGES; i++) {
        // A scrape now and then while the messages flow: each takes what was relayed since the last.
        if (i % 10 == 5) {
          admin.metrics();
        }
        ws.writeTextMessage(PAYLOAD);
        assertEquals(PAYLOAD, echoes.poll(10, TimeUnit.SECONDS));
      }

      Await.until("the live session's messages scraped", () -> {
        AdminClient.Metrics m = admin.metrics();
        return m.sum(up) == MESSAGES && m.sum(down) == MESSAGES;
      });
      AdminClient.Metrics live = admin.metrics();
      assertFalse(ws.isClosed());
      assertEquals(1, live.sum("wsgate_sessions_active" + chat + "}"), "still live");
      assertEquals(MESSAGES * PAYLOAD.length(), live.sum(bytesUp));
      assertEquals(0, live.sum("wsgate_sessions_closed_total{route=\"/chat\"}"), "not ended yet");
      assertEquals(0, live.sum("wsgate_messages_total{route=\"/idle\"}"), "another route's series stay at 0");

      Await.result(ws.close());
      Await.until("the session's end counted", () -> admin.metrics()
          .sum("wsgate_sessions_closed_total{reason=\"peer_closed\",route=\"/chat\"}") == 1);
      for (int scrape = 0; scrape < 3; scrape++) {
        AdminClient.Metrics after = admin.metrics();
        assertEquals(MESSAGES, after.sum(up), "no message counted twice");
        assertEquals(MESSAGES, after.sum(down));
        assertEquals(MESSAGES * PAYLOAD.length(), after.sum(bytesUp));
        assertEquals(0, after.sum("wsgate_sessions_active"));
      }
    }
  }
}
