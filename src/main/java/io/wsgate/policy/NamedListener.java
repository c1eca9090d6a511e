package io.wsgate.policy;

import java.util.Objects;

/**
 * One client listener as fixed at start: an entry of {@code listeners:}, or {@code listen:}, which is
 * the one listener named {@link #DEFAULT_NAME}. Its {@code clients} address rules are runtime policy
 * ({@link Security#clients(String)}).
 *
 * @param name          unique among the policy's listeners, {@code [a-z0-9_-]{1,32}}
 * @param listen        address, port and TLS
 * @param proxyProtocol {@code clients.proxyProtocol}: a PROXY header on every connection
 */
public record NamedListener(String name, Listener listen, boolean proxyProtocol) {
  /** The name of the listener {@code listen:} describes. */
  public static final String DEFAULT_NAME = "default";

  public NamedListener {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(listen, "listen");
  }

  /** The same listener on another port ({@code run --listen}). */
  public NamedListener withPort(int port) {
    return new NamedListener(name, new Listener(listen.host(), port, listen.tls()), proxyProtocol);
  }
}
