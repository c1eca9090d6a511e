package io.wsgate.wirefuzz;

import io.wsgate.policy.ConnectionLimits;
import io.wsgate.policy.GatewayPolicy;
import io.wsgate.policy.MessageRules;
import io.wsgate.policy.Mode;
import io.wsgate.policy.RouteSecurity;
import io.wsgate.testing.Await;
import io.wsgate.testing.DevKeyIssuer;
import io.wsgate.testing.EchoUpstream;
import io.wsgate.testing.RawUpstream;
import io.wsgate.testing.StartedGateway;
import io.wsgate.testing.TestPolicy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The gateway under fuzzing, over TLS, with its real upstreams and token issuer: an open route and a
 * token route capped at one connection per subject in front of an echo upstream, a route whose
 * upstream answers late (for a client that leaves while the gateway is still connecting), one whose
 * upstream refuses, and the 404 of no route. After each scenario, once every client has gone, it
 * checks the gateway live ({@link StartedGateway#violations()}) and that every upstream connection
 * was closed. A gateway left dirty is replaced, so that the next scenario starts clean.
 */
final class FuzzTarget implements AutoCloseable {
  /** How long after the last client left everything must be back to nothing. */
  static final Duration SETTLE = Duration.ofSeconds(3);
  /** The slow upstream's wait before it answers an upgrade. */
  private static final Duration SLOW_ANSWER = Duration.ofMillis(300);

  private final EchoUpstream echo = new EchoUpstream();
  private final EchoUpstream slow = EchoUpstream.answeringAfter(SLOW_ANSWER);
  private final RawUpstream refusing = RawUpstream.answering("HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n");
  private final DevKeyIssuer issuer;
  private final Tokens tokens;
  private StartedGateway gateway;

  FuzzTarget(Path dir) {
    issuer = DevKeyIssuer.in(dir);
    tokens = new Tokens(issuer);
  }

  private GatewayPolicy policy() {
    return TestPolicy.create()
        .issuers(List.of(issuer.issuer()))
        .connections(new ConnectionLimits(null, null, 1, null, 10_000, Mode.ENFORCE))
        .route(Route.ECHO.path, echo.url("/"))
        .route(Route.CAPPED.path, echo.url("/"))
        .security(new RouteSecurity(null, TestPolicy.OPEN_ROUTE.origins(), issuer.auth(false), MessageRules.NONE))
        .route(Route.SLOW.path, slow.url("/"))
        .route(Route.REFUSING.path, refusing.url())
        .maxMessageBytes(64 * 1024)
        .maxConnections(64)
        .handshakeTimeout(Duration.ofSeconds(1))
        .upstreamTimeout(Duration.ofSeconds(2))
        // Longer than SETTLE: an idle timeout must not be what ends a session its client has left.
        .idleTimeout(Duration.ofSeconds(10))
        .shutdown(1001, Duration.ZERO, Duration.ofSeconds(1))
        .build();
  }

  /** What one scenario left behind. */
  record Outcome(List<String> violations, String notes) {
    boolean passed() {
      return violations.isEmpty();
    }

    @Override
    public String toString() {
      return String.join("\n  ", violations) + notes;
    }
  }

  /**
   * One ordinary session first: a gateway's first upgrades are slow (class loading, JIT, TLS), which
   * hides races that a warm gateway shows on every try.
   */
  private static final Scenario WARM_UP = Scenario.of(
      new Step.Send(0, List.of(new Piece.Upgrade(Route.ECHO, Style.PLAIN, Credential.NONE))),
      new Step.Read(0, 100),
      new Step.Send(0, List.of(new Piece.Frame(FrameKind.TEXT), new Piece.Frame(FrameKind.CLOSE))),
      new Step.Read(0, 100));

  Outcome run(Scenario scenario) {
    if (gateway == null) {
      gateway = StartedGateway.start(policy());
      Outcome warmUp = play(WARM_UP);
      if (!warmUp.passed()) {
        throw new AssertionError("an ordinary session left state behind:\n  " + warmUp);
      }
    }
    return play(scenario);
  }

  private Outcome play(Scenario scenario) {
    String notes;
    try (FuzzClients clients = new FuzzClients(gateway.gateway().port(), tokens)) {
      clients.play(scenario);
      clients.close();
      notes = clients.notes();
    }
    List<String> violations = settle();
    if (!violations.isEmpty()) {
      notes += "\n  after stopping that gateway: " + replaceGateway();
    }
    return new Outcome(violations, notes);
  }

  /** Waits up to {@link #SETTLE} for nothing to be left; returns what still is. */
  private List<String> settle() {
    AtomicReference<List<String>> last = new AtomicReference<>(List.of());
    try {
      Await.until("the gateway settled", SETTLE, () -> {
        List<String> now = new ArrayList<>(gateway.violations());
        long open = echo.openSockets() + slow.openSockets();
        if (open > 0) {
          now.add(open + " upstream connection(s) still open");
        }
        last.set(now);
        return now.isEmpty();
      });
    } catch (AssertionError timedOut) {
      return last.get();
    }
    return List.of();
  }

  /** Stops a gateway that was left dirty, and says what its closing checks found. */
  private String replaceGateway() {
    StartedGateway dirty = gateway;
    gateway = null;
    try {
      dirty.close();
      return "nothing left";
    } catch (AssertionError expected) { // the scenario already failed; this only adds to its report
      return expected.getMessage();
    }
  }

  /** Stops the current gateway (if any) with the closing checks of every wire test. */
  void stopGateway() {
    if (gateway != null) {
      StartedGateway last = gateway;
      gateway = null;
      last.close();
    }
  }

  @Override
  public void close() {
    try {
      stopGateway();
    } finally {
      echo.close();
      slow.close();
      refusing.close();
    }
  }
}
