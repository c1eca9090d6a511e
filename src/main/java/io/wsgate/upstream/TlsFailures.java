package io.wsgate.upstream;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;

/**
 * The last TLS failure on a connection to each upstream peer (name and port). With TLS 1.3 an
 * upstream that refuses the gateway's client certificate says so with an alert after the client's
 * side of the handshake is done; Vert.x then reports only that the connection closed during the
 * WebSocket handshake. The engines ({@link RecordingEngine}) write here, and the connector reads a
 * failure recorded since its dial started, to answer {@code upstream_tls} rather than
 * {@code upstream_unavailable}. Messages are the JDK's (the alert, the certificate problem), never
 * key material.
 */
final class TlsFailures {
  private static final int MAX_PEERS = 4096;
  private final Map<String, Seen> last = new ConcurrentHashMap<>();

  private record Seen(long nanos, String message) {
  }

  void record(String peerHost, int peerPort, SSLException failure) {
    if (last.size() >= MAX_PEERS) {
      last.clear(); // peers come from the policy: only a policy with thousands of members gets here
    }
    last.put(peerHost + ":" + peerPort, new Seen(System.nanoTime(), String.valueOf(failure.getMessage())));
  }

  /** The failure's message when one was recorded for the peer at or after {@code sinceNanos}; else null. */
  String since(String peerHost, int peerPort, long sinceNanos) {
    Seen seen = last.get(peerHost + ":" + peerPort);
    return seen != null && seen.nanos() - sinceNanos >= 0 ? seen.message() : null;
  }
}
