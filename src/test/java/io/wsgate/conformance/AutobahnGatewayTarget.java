package io.wsgate.conformance;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.wsgate.Gateway;
import io.wsgate.testing.StartedGateway;
import io.wsgate.testing.TestPolicy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The Autobahn run through the gateway: the fuzzing client talks to a plain-ws gateway listener on
 * the port the autobahntestsuite-maven-plugin passes to {@code main}; the gateway relays to the
 * {@link AutobahnEcho} upstream on a port the OS picks. The route admits the fuzzer as any client
 * would be admitted on an open route: any address, any Origin, no token, no message rules, no
 * connection limits, and messages up to the 16 MiB that section 9 sends.
 */
public final class AutobahnGatewayTarget {
  /** Where the gateway's hash-chained audit files of the run land (relative to Maven's basedir). */
  static final Path AUDIT_DIR = Path.of("target", "conformance", "gateway-audit");

  private AutobahnGatewayTarget() {
  }

  public static void main(String[] args) {
    String host = AutobahnTargets.host();
    int port = AutobahnTargets.port(args);
    HttpServer echo = AutobahnEcho.start(Vertx.vertx(), host, 0).await();
    String upstream = "ws://" + host + ":" + echo.actualPort() + "/";
    // Never closed: the gateway runs until Maven's JVM ends with the suite.
    Gateway gateway = StartedGateway.start(TestPolicy.create()
        .route("/", true, List.of(), upstream)
        .plain()
        .host(host)
        .port(port)
        .maxMessageBytes(AutobahnEcho.MAX_MESSAGE_BYTES)
        // No keepalive pings of the gateway's own during a case: the suite compares every frame it receives.
        .pingInterval(Duration.ofHours(1))
        .auditTo(AUDIT_DIR)
        .build()).gateway();
    System.out.println("Autobahn target: gateway on ws://" + host + ":" + gateway.port() + "/ -> " + upstream);
  }
}
