package io.wsgate.handshake;

import io.vertx.core.Future;

/**
 * One check of an upgrade request. Runs on the event loop: a guard that must wait (a key fetch)
 * returns an incomplete future and never blocks.
 */
@FunctionalInterface
public interface HandshakeGuard {
  Future<Verdict> check(HandshakeRequest request);
}
