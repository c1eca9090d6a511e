package io.wsgate.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.buffer.impl.BufferImpl;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.HttpServerConnection;
import io.vertx.core.impl.buffer.VertxByteBufAllocator;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.internal.http.WebSocketInternal;

/**
 * The only place the gateway reaches past Vert.x's public API: the Netty channel under a WebSocket,
 * the byte buffer under a Vert.x buffer, running a task on a context from within it. Everything that
 * depends on how Vert.x or Netty are built inside lives in this package, so an upgrade that moves
 * them breaks here, and {@code InternalsTest} says so.
 */
public final class VertxInternals {
  private VertxInternals() {
  }

  /** The pipeline context of the handler Vert.x installed for this WebSocket. */
  public static ChannelHandlerContext context(WebSocketBase socket) {
    return ((WebSocketInternal) socket).channelHandlerContext();
  }

  public static Channel channel(WebSocketBase socket) {
    return context(socket).channel();
  }

  /** The Netty channel under an HTTP/1.x server connection (before or after its upgrade). */
  public static Channel channel(HttpConnection connection) {
    return ((HttpServerConnection) connection).channelHandlerContext().channel();
  }

  /** The Netty buffer holding a Vert.x buffer's bytes, or null when it is not backed by one. */
  public static ByteBuf byteBuf(Buffer buffer) {
    return buffer instanceof BufferInternal internal ? internal.getByteBuf() : null;
  }

  /**
   * The Netty buffer under a Vert.x buffer itself, not the slice {@link #byteBuf} makes: for reading
   * its readable bytes in place on the hot path without allocating. Never write to it or move its
   * indexes. Null when the buffer is not backed by one.
   */
  public static ByteBuf readable(Buffer buffer) {
    return buffer instanceof BufferImpl impl ? impl.byteBuf() : byteBuf(buffer);
  }

  /** Runs {@code task} with {@code argument} on {@code context}: at once when already on it, else queued there. */
  public static <T> void execute(Context context, T argument, Handler<T> task) {
    ((ContextInternal) context).execute(argument, task);
  }

  /**
   * The allocator Vert.x sets on every server and client channel ({@code ChannelOption.ALLOCATOR}):
   * Netty's {@code ByteBufAllocator.DEFAULT}, or an adaptive one when that default is unpooled.
   */
  public static ByteBufAllocator transportAllocator() {
    return VertxByteBufAllocator.POOLED_ALLOCATOR;
  }
}
