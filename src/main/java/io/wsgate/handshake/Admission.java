package io.wsgate.handshake;

import io.wsgate.Reason;

import java.util.List;

/**
 * The pipeline's result: denied with a reason, or admitted with the resources held on the session's
 * behalf; either way with the request as the guards refined it (identity, token stripped), which
 * the audit records. {@link #release()} gives them back; call it exactly once.
 */
public record Admission(Reason reason, long retryAfterSeconds, List<Runnable> held, HandshakeRequest request) {
  public boolean admitted() {
    return reason == null;
  }

  public void release() {
    held.forEach(Runnable::run);
  }
}
