package io.wsgate.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The header values a client chooses are recorded bounded and as one harmless line. */
class AuditedRequestTest {
  @Test
  void shortPrintableValuesAreKeptAsTheyAre() {
    assertNull(AuditedRequest.clientText(null));
    assertEquals("", AuditedRequest.clientText(""));
    assertEquals("Mozilla/5.0 (X11; Linux x86_64) é ü 日本", AuditedRequest.clientText("Mozilla/5.0 (X11; Linux x86_64) é ü 日本"));
    assertEquals("x".repeat(256), AuditedRequest.clientText("x".repeat(256)), "exactly the bound: not cut");
  }

  @Test
  void controlCharactersAreEscapedAndLongValuesCut() {
    assertEquals("a\\u0000b\\u0009c\\u007fd\\u0085e\\u009b", AuditedRequest.clientText("a\u0000b\tc\u007fd\u0085e\u009b"));
    assertEquals("x".repeat(256) + "...", AuditedRequest.clientText("x".repeat(257)));
    String pair = "\uD83D\uDE00"; // one emoji: two chars that must stay together
    assertEquals("x".repeat(255) + "...", AuditedRequest.clientText("x".repeat(255) + pair + "tail"),
        "a surrogate pair is not split at the bound");
  }

  @Test
  void onlyTheClientsHeadersAndServerNameAreBounded() {
    AuditedRequest r = new AuditedRequest("id", "192.0.2.1", "alice", "idp", "/chat", "/chat/" + "p".repeat(300),
        "o".repeat(300), "u\n", "default", null, "h".repeat(300), "a.test\u0000");
    assertEquals("o".repeat(256) + "...", r.origin());
    assertEquals("u\\u000a", r.userAgent());
    assertEquals("h".repeat(256) + "...", r.host());
    assertEquals("a.test\\u0000", r.sni());
    assertEquals(306, r.path().length(), "the path is recorded as sent");
  }
}
