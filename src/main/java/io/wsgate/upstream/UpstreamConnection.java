package io.wsgate.upstream;

import io.vertx.core.http.WebSocket;

/** An upstream WebSocket that answered 101, paused until its session resumes it, and the pool member it came from. */
public record UpstreamConnection(WebSocket socket, UpstreamMember member) {
}
