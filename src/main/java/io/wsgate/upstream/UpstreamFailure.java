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
}
