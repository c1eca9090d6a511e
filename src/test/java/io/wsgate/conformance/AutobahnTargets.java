package io.wsgate.conformance;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** What both Autobahn targets share: where the fuzzing client will connect. */
final class AutobahnTargets {
  private AutobahnTargets() {
  }

  /**
   * The address the autobahntestsuite-maven-plugin dials: it connects to
   * {@code InetAddress.getLocalHost()}, not to a host we choose. Refuse anything that is not
   * loopback, so the fuzzing traffic never leaves this machine.
   */
  static String host() {
    try {
      InetAddress local = InetAddress.getLocalHost();
      if (!local.isLoopbackAddress()) {
        throw new IllegalStateException("the Autobahn plugin would dial " + local.getHostAddress()
            + " (this host name's address), which is not loopback: map the host name to 127.0.0.1 in /etc/hosts");
      }
      return local.getHostAddress();
    } catch (UnknownHostException e) {
      return "127.0.0.1"; // what the plugin falls back to as well
    }
  }

  static int port(String[] args) {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: <port>");
    }
    return Integer.parseInt(args[0]);
  }
}
