package io.wsgate.handshake;

import io.wsgate.Reason;

/** Where a guard in monitor mode reports what it would have denied (audited and counted). */
@FunctionalInterface
public interface MonitorLog {
  void wouldDeny(HandshakeRequest request, Reason reason);
}
