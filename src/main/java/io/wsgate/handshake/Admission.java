package io.wsgate.handshake;

import io.wsgate.Reason;

import java.util.ArrayList;
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

  /** The same admission, holding one more resource (the global cap's slot, taken after the guards). */
  public Admission holding(Runnable release) {
    List<Runnable> all = new ArrayList<>(held);
    all.add(release);
    return new Admission(reason, retryAfterSeconds, List.copyOf(all), request);
  }
}
