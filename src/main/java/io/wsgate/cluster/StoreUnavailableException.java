package io.wsgate.cluster;

/**
 * The cluster store did not answer in time, is down, or is not connected yet. The caller applies
 * {@code onStoreFailure}. Without a stack trace: it is an expected outcome on a hot path, and its
 * message says everything.
 */
public final class StoreUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StoreUnavailableException(String message) {
    super(message, null, false, false);
  }

  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause, false, false);
  }
}
