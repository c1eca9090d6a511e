package io.wsgate.upstream;

import io.vertx.core.http.WebSocket;

/**
 * An upstream WebSocket that answered 101, paused until its Session starts, and the pool member it
 * came from, which counts it until {@link #release()} (once, when the session ends or never starts).
 */
public record UpstreamConnection(WebSocket socket, UpstreamMember member) {
  public void release() {
    member.release();
  }
}
