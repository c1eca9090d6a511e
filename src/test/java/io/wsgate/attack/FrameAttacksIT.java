package io.wsgate.attack;

import io.vertx.core.MultiMap;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import io.wsgate.Reason;
import io.wsgate.policy.Action;
import io.wsgate.policy.Auth;
import io.wsgate.policy.MessageRule;
import io.wsgate.policy.MessageRules;
import io.wsgate.policy.Mode;
import io.wsgate.policy.RouteSecurity;
import io.wsgate.testing.Await;
import io.wsgate.testing.RawClient;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Frames a well-behaved client never sends, written by hand on a raw TLS socket after a real 101:
 * each ends the session with the reason's close code on both sides, is audited and counted once,
 * and never reaches the upstream. Ping floods, tiny-fragment floods and a slowloris on a frame
 * header are in FrameFloodIT.
 */
class FrameAttacksIT {
  private static final byte[] HELLO = "hello".getBytes(StandardCharsets.UTF_8);
  private static final String OFFERS_DEFLATE = RawClient.upgrade(AttackTarget.PATH).replace("\r\n\r\n",
      "\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n");

  private static AttackTarget target() {
    return AttackTarget.echo(p -> p.maxMessageBytes(64 * 1024));
  }

  @Test
  @DisplayName("Control frame over 125 bytes")
  void controlFrameOver125Bytes() throws Exception {
    try (AttackTarget t = target()) {
      t.closes(Reason.PROTOCOL_ERROR, 0, raw -> raw.send(RawClient.frame(0x89, new byte[126], true)));
    }
  }

  @Test
  @DisplayName("Unmasked client frame")
  void unmaskedClientFrame() throws Exception {
    try (AttackTarget t = target()) {
      t.closes(Reason.PROTOCOL_ERROR, 0, raw -> raw.send(RawClient.frame(0x81, HELLO, false)));
    }
  }

  @Test
  @DisplayName("RSV2 and RSV3 bits set without an extension")
  void rsvBits() throws Exception {
    try (AttackTarget t = target()) {
      t.closes(Reason.PROTOCOL_ERROR, 0, raw -> raw.send(RawClient.frame(0x80 | 0x20 | 0x10 | 0x1, HELLO, true)));
    }
  }

  @Test
  @DisplayName("Reserved opcodes (0x3 data, 0xB control)")
  void reservedOpcode() throws Exception {
    try (AttackTarget t = target()) {
      t.closes(Reason.PROTOCOL_ERROR, 0, raw -> raw.send(RawClient.frame(0x83, new byte[] {1}, true)));
    }
    try (AttackTarget t = target()) {
      t.closes(Reason.PROTOCOL_ERROR, 0, raw -> raw.send(RawClient.frame(0x8B, new byte[] {1}, true)));
    }
  }

  @Test
  @DisplayName("Oversized message declared in the 64-bit length (2^62 bytes, no payload sent)")
  void oversizedDeclaredLength() throws Exception {
    try (AttackTarget t = target()) {
      // The header alone must be enough to refuse: nothing is buffered waiting for 4 EiB.
      t.closes(Reason.MESSAGE_TOO_BIG, 0, raw -> raw.send(new byte[] {
          (byte) 0x82, (byte) 0xFF, 0x40, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4}));
    }
  }

  @Test
  @DisplayName("Decompression bomb: permessage-deflate is never negotiated")
  void deflateIsNeverNegotiated() throws Exception {
    try (AttackTarget t = target()) {
      Counter accepted = Counter.accepted(t.harness);
      try (RawClient raw = t.raw()) {
        raw.send(OFFERS_DEFLATE);
        String head = raw.readHead();
        assertEquals(101, RawClient.status(head));
        assertFalse(head.toLowerCase(Locale.ROOT).contains("sec-websocket-extensions"), head);
        MultiMap seen = t.upstream.handshakes.poll(10, TimeUnit.SECONDS);
        assertNotNull(seen);
        assertNull(seen.get("sec-websocket-extensions"), "no extension offered upstream either");
        t.audit.await("session.accepted", list -> list.size() == 1);
        accepted.movedBy(1);
      }
    }
  }

  @Test
  @DisplayName("Decompression bomb: an RSV1 (compressed) frame of 16 MiB of zeros")
  void compressedFrame() throws Exception {
    byte[] bomb = deflate(new byte[16 * 1024 * 1024]);
    assertTrue(bomb.length < 64 * 1024, "the bomb fits the message limit: only RSV1 can refuse it");
    try (AttackTarget t = target()) {
      t.closes(OFFERS_DEFLATE, Reason.PROTOCOL_ERROR, 0, raw -> raw.send(RawClient.frame(0x80 | 0x40 | 0x2, bomb, true)));
    }
  }

  private static byte[] deflate(byte[] data) {
    Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
    deflater.setInput(data);
    deflater.finish();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] chunk = new byte[8192];
    while (!deflater.finished()) {
      out.write(chunk, 0, deflater.deflate(chunk));
    }
    deflater.end();
    return out.toByteArray();
  }

  @Test
  @DisplayName("Invalid UTF-8 split across fragments")
  void invalidUtf8SplitAcrossFragments() throws Exception {
    try (AttackTarget t = target()) {
      // E2 82 starts a three-byte character; the next fragment continues it with '(' (0x28).
      t.closes(Reason.INVALID_UTF8, 1, raw -> {
        raw.send(RawClient.frame(0x01, new byte[] {'o', 'k', ' ', (byte) 0xE2, (byte) 0x82}, true));
        raw.send(RawClient.frame(0x80, new byte[] {0x28, 'x'}, true));
      });
      // Fragments are streamed: the valid first one went on, the message was never completed upstream.
      WebSocketFrame first = t.upstream.frames.poll();
      assertFalse(first.isFinal(), "only the first, unfinished fragment reached the upstream");
    }
  }

  @Test
  @DisplayName("Catastrophic-regex input against a deny-pattern filter")
  void catastrophicRegexInput() throws Exception {
    MessageRule deny = new MessageRule.Patterns("deny", List.of("(a+)+$", "(?i)<script"), Action.DROP, Mode.ENFORCE);
    RouteSecurity security = new RouteSecurity(null, TestPolicy.OPEN_ROUTE.origins(), Auth.ANONYMOUS,
        new MessageRules(List.of(deny), List.of()));
    // Exponential for a backtracking engine before it ever reaches the second pattern; linear for RE2.
    String evil = "a".repeat(30_000) + "!<script>";
    try (AttackTarget t = AttackTarget.echo(p -> p.security(security)); RawClient raw = t.session()) {
      Counter drops = Counter.drops(t.harness, Reason.PATTERN_DENIED);
      long start = System.nanoTime();
      raw.send(RawClient.frame(0x81, evil.getBytes(StandardCharsets.UTF_8), true));
      RawClient.Frame notice = raw.readFrame();
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertEquals("{\"error\":\"pattern_denied\",\"rule\":\"deny\"}", notice.text());
      assertTrue(ms < 2000, "judged after " + ms + " ms");

      JsonObject record = AttackAsserts.auditedOnce(t.audit, "message.refused", Reason.PATTERN_DENIED);
      assertEquals("deny", record.getString("rule"));
      assertEquals("drop", record.getString("action"));
      assertFalse(t.audit.all().toString().contains("aaaaaaaa"), "the message body is never audited");
      drops.movedBy(1);

      // The session lives on, and only the harmless message reached the upstream.
      raw.send(RawClient.frame(0x81, HELLO, true));
      assertEquals("hello", raw.readFrame().text());
      Await.until("relayed", () -> t.upstream.frames.size() == 1);
      assertEquals("hello", t.upstream.frames.poll().textData());
    }
  }
}
