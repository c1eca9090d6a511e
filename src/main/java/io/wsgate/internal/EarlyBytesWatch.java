package io.wsgate.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpConnection;

/**
 * Watches a connection from the moment its upgrade is answered until its session takes the socket.
 * A client must wait for the 101 before it sends anything more (RFC 6455 §4.1); whatever arrives in
 * between — the start of another request head, which Netty hands from the HTTP decoder to the new
 * frame decoder as the upgrade swaps them, a request decoded meanwhile, or frames — is swallowed
 * here, reading stops, and the session then fails with 1002. Without the watch the frame decoder's
 * error would reach Vert.x's HTTP handler, which closes the connection before the 101 is out, and a
 * frame would be dropped unseen.
 */
public final class EarlyBytesWatch extends ChannelInboundHandlerAdapter {
  private static final String HTTP_DECODER = "httpDecoder";

  private final ChannelPipeline pipeline;
  private boolean seen;

  private EarlyBytesWatch(ChannelPipeline pipeline) {
    this.pipeline = pipeline;
  }

  /**
   * Call on the connection's event loop, right before the upgrade is answered. A connection the
   * client already closed has no HTTP decoder left: nothing to watch, and the upgrade fails on its own.
   */
  public static EarlyBytesWatch install(HttpConnection connection) {
    ChannelPipeline pipeline = VertxInternals.channel(connection).pipeline();
    EarlyBytesWatch watch = new EarlyBytesWatch(pipeline);
    if (pipeline.context(HTTP_DECODER) != null) {
      pipeline.addAfter(HTTP_DECODER, null, watch);
    }
    return watch;
  }

  /** Stops watching; @return whether the client sent anything while it watched. */
  public boolean remove() {
    if (pipeline.context(this) != null) {
      pipeline.remove(this);
    }
    return seen;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ReferenceCountUtil.release(msg);
    sentTooSoon(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof DecoderException) {
      sentTooSoon(ctx);
      return;
    }
    ctx.fireExceptionCaught(cause);
  }

  private void sentTooSoon(ChannelHandlerContext ctx) {
    seen = true;
    ctx.channel().config().setAutoRead(false);
  }
}
