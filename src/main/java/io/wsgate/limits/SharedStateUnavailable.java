package io.wsgate.limits;

/**
 * A limit kept in a shared store could not be decided: the store is down, slow or out of reach, and
 * the policy says {@code cluster.onStoreFailure: failClosed}. The handshake is refused with 503
 * ({@code store_unavailable}). Without a stack trace: an expected outcome, and its message says all.
 */
public final class SharedStateUnavailable extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SharedStateUnavailable(String message) {
    super(message, null, false, false);
  }
}
