package io.wsgate.handshake;

import io.wsgate.Reason;
import io.wsgate.policy.Auth;
import io.wsgate.policy.Mode;
import io.wsgate.policy.OriginRules;
import io.wsgate.policy.Route;
import io.wsgate.testing.Await;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Origin decision the handshake makes, on generated inputs: a one-label wildcard stands for
 * one DNS label (letters, digits, inner hyphens, 1 to 63 characters) and nothing a browser never sends.
 * And the guard around it: the route's rules and mode, and the re-check of a live session.
 */
class OriginGuardTest {
  private static final OriginRules WILDCARD = rules("https://*.example.com");
  private static final OriginRules WILDCARD_WITH_PORT = rules("https://*.example.com:8443");

  private static OriginRules rules(String... allow) {
    return new OriginRules(List.of(allow), false, false, Mode.ENFORCE);
  }

  /** Written out rather than as a regular expression, so that it does not share a bug with the code. */
  private static boolean dnsLabel(String label) {
    if (label.isEmpty() || label.length() > 63 || label.charAt(0) == '-' || label.charAt(label.length() - 1) == '-') {
      return false;
    }
    for (char c : label.toCharArray()) {
      boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  @Test
  void everyAsciiCharacterInEveryPositionOfTheWildcardLabel() {
    List<String> wrong = new ArrayList<>();
    for (char c = 0; c < 128; c++) {
      for (String label : List.of(String.valueOf(c), c + "evil", "ev" + c + "il", "evil" + c, "" + c + c)) {
        for (OriginRules rules : List.of(WILDCARD, WILDCARD_WITH_PORT)) {
          String port = rules == WILDCARD ? "" : ":8443";
          String origin = "https://" + label + ".example.com" + port;
          if (OriginGuard.permits(rules, origin) != dnsLabel(label)) {
            wrong.add(String.format("U+%04X in %s", (int) c, origin.replace(c, '\u2423')));
          }
        }
      }
    }
    assertTrue(wrong.isEmpty(), wrong.size() + " wrong answers, the first: " + wrong.subList(0, Math.min(12, wrong.size())));
  }

  @Test
  void labelLengthIsOneToSixtyThree() {
    for (int n = 1; n <= 70; n++) {
      String origin = "https://" + "a".repeat(n) + ".example.com";
      assertEquals(n <= 63, OriginGuard.permits(WILDCARD, origin), n + " characters");
    }
  }

  @Test
  void theFindingsLabelsAndOtherNearMisses() {
    for (String label : List.of("evil#", "evil?", "a b", "evil/", "", ".", "..", "a.b", "-evil", "evil-", "-", "_evil",
        "ev_il", "evil%2e", "evil:1", "evil@", "evil\\", "*", "ev*il", "evil\t", "bücher", "\u212Aevil", "\u0130evil",
        "évil", "evil\u00A0")) {
      assertFalse(OriginGuard.permits(WILDCARD, "https://" + label + ".example.com"), label);
    }
    // International names arrive in their ASCII (xn--) form, which is plain letters, digits and hyphens.
    for (String label : List.of("xn--bcher-kva", "a-b", "a--b", "EVIL", "0", "9a", "chat-2")) {
      assertTrue(OriginGuard.permits(WILDCARD, "https://" + label + ".example.com"), label);
    }
  }

  @Test
  void theWildcardStaysOneLabelWithItsSchemeAndPort() {
    assertTrue(OriginGuard.permits(WILDCARD, "HTTPS://Chat.Example.COM:443"), "case and default port fold");
    assertFalse(OriginGuard.permits(WILDCARD, "https://example.com"));
    assertFalse(OriginGuard.permits(WILDCARD, "https://a.b.example.com"));
    assertFalse(OriginGuard.permits(WILDCARD, "http://chat.example.com"));
    assertFalse(OriginGuard.permits(WILDCARD, "https://chat.example.com:8443"));
    assertFalse(OriginGuard.permits(WILDCARD, "https://chat.example.com/"));
    assertFalse(OriginGuard.permits(WILDCARD, "https://chat.example.com.evil.net"));
    assertFalse(OriginGuard.permits(WILDCARD, "https://chatexample.com"));
    assertTrue(OriginGuard.permits(WILDCARD_WITH_PORT, "https://chat.example.com:8443"));
    assertFalse(OriginGuard.permits(WILDCARD_WITH_PORT, "https://chat.example.com"));
  }

  @Test
  void exactEntriesAnyMissingAndNull() {
    OriginRules exact = rules("https://app.example.com", "http://localhost:8080");
    assertTrue(OriginGuard.permits(exact, "https://app.example.com"));
    assertTrue(OriginGuard.permits(exact, "https://APP.example.com:443"));
    assertTrue(OriginGuard.permits(exact, "http://localhost:8080"));
    assertFalse(OriginGuard.permits(exact, "https://app.example.com/"));
    assertFalse(OriginGuard.permits(exact, "https://evil.example.com"));
    assertFalse(OriginGuard.permits(exact, "http://localhost"));
    assertTrue(OriginGuard.permits(rules("*"), "https://anything.example"));
    assertFalse(OriginGuard.permits(rules("*"), "https://any thing.example"), "\"*\" still needs an origin");
    assertFalse(OriginGuard.permits(exact, null));
    assertFalse(OriginGuard.permits(exact, "null"));
    assertTrue(OriginGuard.permits(new OriginRules(List.of(), true, false, Mode.ENFORCE), null));
    assertTrue(OriginGuard.permits(new OriginRules(List.of(), false, true, Mode.ENFORCE), "null"));
  }

  private static final OriginGuard GUARD = new OriginGuard();
  private static final Route APP = originRoute("/app", new OriginRules(List.of("https://app.example.com"), false, false,
      Mode.ENFORCE));
  private static final Route TRIAL = originRoute("/trial", new OriginRules(List.of("https://app.example.com"), false,
      false, Mode.MONITOR));
  private static final Route TOOLS = originRoute("/tools", new OriginRules(List.of(), true, false, Mode.ENFORCE));

  private static Route originRoute(String path, OriginRules origins) {
    return Handshakes.route(path, Handshakes.security(null, origins, Auth.ANONYMOUS));
  }

  @Test
  void theGuardReadsTheRequestsOriginHeaderAgainstItsRoute() {
    assertTrue(Handshakes.verdict(GUARD.check(Handshakes.request(APP, "192.0.2.1", "Origin", "https://app.example.com")))
        .allowed());
    Verdict evil = Handshakes.verdict(GUARD.check(Handshakes.request(APP, "192.0.2.1", "Origin", "https://evil.example")));
    assertEquals(Reason.ORIGIN_DENIED, evil.reason());
    assertEquals(403, evil.reason().code());
    assertEquals(Reason.ORIGIN_DENIED, Handshakes.verdict(GUARD.check(Handshakes.request(APP, "192.0.2.1"))).reason(),
        "no Origin on a route that does not allow it missing");
    assertTrue(Handshakes.verdict(GUARD.check(Handshakes.request(TOOLS, "192.0.2.1"))).allowed());
    assertEquals(Reason.ORIGIN_DENIED, Handshakes.verdict(GUARD.check(Handshakes.request(TOOLS, "192.0.2.1",
        "Origin", "https://app.example.com"))).reason(), "allowing a missing Origin allows no browser page");
  }

  @Test
  void theModeIsTheRoutes() {
    assertEquals(Mode.ENFORCE, GUARD.mode(APP));
    assertEquals(Mode.MONITOR, GUARD.mode(TRIAL));
  }

  @Test
  void aMonitoredRouteReportsTheForeignOriginAndLetsItIn() {
    List<Reason> reported = new ArrayList<>();
    HandshakePipeline pipeline = new HandshakePipeline(List.of(GUARD), (request, reason) -> reported.add(reason));

    assertTrue(Await.result(pipeline.run(Handshakes.request(TRIAL, "192.0.2.1", "Origin", "https://evil.example")))
        .admitted());
    assertEquals(List.of(Reason.ORIGIN_DENIED), reported);
    assertEquals(Reason.ORIGIN_DENIED, Await.result(pipeline.run(Handshakes.request(APP, "192.0.2.1", "Origin",
        "https://evil.example"))).reason());
  }

  @Test
  void recheckJudgesTheOriginTheLiveSessionSentAgainstTheRoutesRulesNow() {
    LiveClient page = Handshakes.live("192.0.2.1", "https://app.example.com");
    LiveClient cli = Handshakes.live("192.0.2.1", null);

    assertNull(GUARD.recheck(page, APP));
    assertEquals(Reason.ORIGIN_DENIED, GUARD.recheck(page, TOOLS), "the new rules no longer list it");
    assertEquals(Reason.ORIGIN_DENIED, GUARD.recheck(cli, APP));
    assertNull(GUARD.recheck(cli, TOOLS));
    assertEquals(Reason.ORIGIN_DENIED, GUARD.recheck(Handshakes.live("192.0.2.1", "null"), APP));
  }

  @Test
  void aMonitoredRouteClosesNoLiveSessionOnRecheck() {
    HandshakePipeline pipeline = new HandshakePipeline(List.of(GUARD), (request, reason) -> { });
    LiveClient foreign = Handshakes.live("192.0.2.1", "https://evil.example");

    assertEquals(Reason.ORIGIN_DENIED, pipeline.recheck(foreign, APP));
    assertNull(pipeline.recheck(foreign, TRIAL));
  }
}
