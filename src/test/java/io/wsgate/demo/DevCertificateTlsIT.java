package io.wsgate.demo;

import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.net.ssl.SSLHandshakeException;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Vert.x serves TLS with the generated files, and clients that verify the host name accept it. */
class DevCertificateTlsIT {

  private static final long DEADLINE_SECONDS = 10;

  private Vertx vertx;
  private int port;
  private PemTrustOptions trust;
  private WebSocketClient webSocketClient;

  @BeforeEach
  void start(@TempDir Path dir) throws Exception {
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    DevCertificate.ensure(cert, key);
    trust = new PemTrustOptions().addCertPath(cert.toString());
    vertx = Vertx.vertx();
    port = vertx.createHttpServer(new HttpServerOptions()
            .setSsl(true)
            .setKeyCertOptions(new PemKeyCertOptions().setCertPath(cert.toString()).setKeyPath(key.toString())))
        .webSocketHandler(ws -> ws.writeTextMessage("wss ok"))
        .requestHandler(request -> request.response().end("https ok"))
        .listen(0, "0.0.0.0")
        .await(DEADLINE_SECONDS, TimeUnit.SECONDS)
        .actualPort();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(DEADLINE_SECONDS, TimeUnit.SECONDS);
  }

  @ParameterizedTest
  @ValueSource(strings = {"localhost", "127.0.0.1"})
  void httpsClientVerifiesTheHost(String host) throws Exception {
    // Held in a variable: Vert.x closes a client that becomes unreachable, even mid-request.
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setVerifyHost(true).setTrustOptions(trust));
    String body = client
        .request(HttpMethod.GET, port, host, "/")
        .compose(request -> request.send())
        .compose(response -> response.body())
        .await(DEADLINE_SECONDS, TimeUnit.SECONDS)
        .toString();
    assertEquals("https ok", body);
    client.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"localhost", "127.0.0.1"})
  void webSocketClientVerifiesTheHost(String host) throws Exception {
    BlockingQueue<String> received = new LinkedBlockingQueue<>();
    WebSocket ws = connectWebSocket(host, received);
    assertTrue(ws.isSsl());
    assertEquals("wss ok", received.poll(DEADLINE_SECONDS, TimeUnit.SECONDS));
  }

  @Test
  void hostOutsideTheSubjectAltNamesIsRejected() {
    // Proves that verification really happens: 127.0.0.2 reaches the same server but is not in the SANs.
    Exception failure = assertThrows(Exception.class, () -> connectWebSocket("127.0.0.2", new LinkedBlockingQueue<>()));
    assertTrue(hasCause(failure, SSLHandshakeException.class), () -> "expected a handshake failure, got " + failure);
  }

  private WebSocket connectWebSocket(String host, BlockingQueue<String> received) throws Exception {
    // A field, not a local: Vert.x closes a client that becomes unreachable, with its connections.
    webSocketClient = vertx.createWebSocketClient(new WebSocketClientOptions().setSsl(true).setVerifyHost(true).setTrustOptions(trust));
    ClientWebSocket ws = webSocketClient.webSocket();
    ws.textMessageHandler(received::add);
    return ws.connect(port, host, "/").await(DEADLINE_SECONDS, TimeUnit.SECONDS);
  }

  private static boolean hasCause(Throwable error, Class<? extends Throwable> type) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }
}
