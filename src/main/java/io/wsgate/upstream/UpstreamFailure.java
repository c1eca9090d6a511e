package io.wsgate.upstream;

import io.wsgate.Reason;

/** Why no upstream could be had: carries the {@link Reason} the client is answered with. */
public final class UpstreamFailure extends RuntimeException {
  private final Reason reason;

  public UpstreamFailure(Reason reason, String detail) {
    super(detail, null, false, false);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }

  /**
   * Whether the member itself failed (a dial, TLS or upgrade that went wrong): only then does it
   * cool down. A request the gateway could not even send says nothing about the member.
   */
  public boolean memberFailed() {
    return reason == Reason.UPSTREAM_UNAVAILABLE || reason == Reason.UPSTREAM_REJECTED
        || reason == Reason.UPSTREAM_TIMEOUT || reason == Reason.UPSTREAM_TLS;
  }
}
