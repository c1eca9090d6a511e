package io.wsgate.internal;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;

import java.util.concurrent.TimeUnit;

/**
 * Hangs up on a client the gateway gave up on, the way nginx's lingering close does: once what was
 * written is out, the gateway sends TLS close_notify and a FIN, then reads and discards whatever
 * the client still sends until it closes, for at most {@link #LINGER_MS}. Closing at once while the
 * client's data sits unread in the kernel makes it answer with a reset, and a client still writing
 * (a flood) then fails its write and never reads the close frame that says why it was refused.
 * Nothing read during the linger reaches the WebSocket decoder: no frame is relayed, no ping answered.
 */
public final class LingeringClose extends ChannelInboundHandlerAdapter {
  /** Long enough for a client to read a close frame, short enough that a slot is not held for it. */
  public static final long LINGER_MS = 1000;

  private LingeringClose() {
  }

  /**
   * Call on the socket's event loop with the context of any handler in its pipeline. {@code done}
   * runs once what was written is out: from then on the connection is only being drained, and what
   * it held (a session, its slots) can be let go without waiting for the client to close.
   */
  public static void start(ChannelHandlerContext ctx, Runnable done) {
    ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(written -> {
      linger(ctx);
      done.run();
    });
  }

  private static void linger(ChannelHandlerContext ctx) {
    Channel channel = ctx.channel();
    if (!channel.isActive() || !(channel instanceof DuplexChannel duplex)) {
      ctx.close();
      return;
    }
    ChannelPipeline pipeline = channel.pipeline();
    if (pipeline.get(LingeringClose.class) != null) {
      return;
    }
    SslHandler tls = pipeline.get(SslHandler.class);
    if (tls != null) {
      pipeline.addAfter(pipeline.context(tls).name(), null, new LingeringClose());
    } else {
      pipeline.addFirst(new LingeringClose());
    }
    channel.config().setAutoRead(true);
    channel.eventLoop().schedule(() -> closeNow(channel), LINGER_MS, TimeUnit.MILLISECONDS);
    if (tls != null) {
      tls.closeOutbound().addListener(notified -> shutdownOutput(ctx, duplex));
    } else {
      shutdownOutput(ctx, duplex);
    }
  }

  private static void shutdownOutput(ChannelHandlerContext ctx, DuplexChannel channel) {
    if (!channel.isActive()) {
      return;
    }
    channel.shutdownOutput().addListener(shut -> {
      if (!shut.isSuccess()) {
        closeNow(channel);
      }
    });
  }

  /**
   * Closes the socket from the head of the pipeline: once close_notify is out, a close through the
   * SslHandler waits for the client's own close_notify, which a client that never closes never sends.
   */
  private static void closeNow(Channel channel) {
    if (channel.isOpen()) {
      channel.pipeline().firstContext().close();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ReferenceCountUtil.release(msg);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    // Swallowed with the data: the decoders behind this handler have nothing new to act on.
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    closeNow(ctx.channel());
  }
}
