package io.wsgate.conformance;

import io.vertx.core.Vertx;

/**
 * The Autobahn run against the echo upstream alone: the baseline the gateway run is compared with.
 * The autobahntestsuite-maven-plugin calls {@code main} with the port to listen on and runs its
 * fuzzing client in the same JVM; the server lives until Maven exits.
 */
public final class AutobahnEchoTarget {
  private AutobahnEchoTarget() {
  }

  public static void main(String[] args) {
    String host = AutobahnTargets.host();
    int port = AutobahnTargets.port(args);
    AutobahnEcho.start(Vertx.vertx(), host, port).await();
    System.out.println("Autobahn target: echo upstream on ws://" + host + ":" + port + "/");
  }
}
