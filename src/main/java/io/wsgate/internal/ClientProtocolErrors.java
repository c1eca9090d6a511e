package io.wsgate.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.vertx.core.Handler;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.internal.http.WebSocketInternal;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.wsgate.Reason;

/**
 * Takes the client's framing errors (1002) and invalid UTF-8 (1007) away from Vert.x, which closes
 * the connection as soon as its WebSocket exception handler returns (VertxHandler.exceptionCaught),
 * and hands them to the session, which fails the connection in order: answers to messages that
 * passed before the error still reach the client, then the close.
 *
 * <p>Sits right after the server's WebSocket decoder. Vert.x builds that decoder with
 * {@code closeOnProtocolViolation(false)}, so Netty writes no close frame of its own; after the error
 * the decoder is in its CORRUPT state and discards every further byte, so nothing the client sends
 * after the bad frame is ever decoded. Frames decoded before the bad one in the same read have
 * already gone up the pipeline (ByteToMessageDecoder fires them before the exception), so the relay
 * saw them first. Other errors (1009, I/O) go on to Vert.x as before.
 */
public final class ClientProtocolErrors extends ChannelInboundHandlerAdapter {
  private final Handler<Reason> failed;

  private ClientProtocolErrors(Handler<Reason> failed) {
    this.failed = failed;
  }

  /**
   * @param failed run on the socket's event loop with {@link Reason#PROTOCOL_ERROR} or
   *               {@link Reason#INVALID_UTF8}, once the client's reading has been stopped
   */
  public static void install(WebSocketBase socket, Handler<Reason> failed) {
    ChannelPipeline pipeline = ((WebSocketInternal) socket).channelHandlerContext().pipeline();
    ChannelHandlerContext decoder = pipeline.context(WebSocketFrameDecoder.class);
    if (decoder != null) {
      pipeline.addAfter(decoder.name(), null, new ClientProtocolErrors(failed));
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Reason reason = reason(cause);
    if (reason == Reason.PROTOCOL_ERROR || reason == Reason.INVALID_UTF8) {
      // The decoder would discard the bytes anyway: stop reading them off the socket at all.
      ctx.channel().config().setAutoRead(false);
      failed.handle(reason);
      return;
    }
    ctx.fireExceptionCaught(cause);
  }

  /**
   * The reason a WebSocket decoder's failure stands for: 1009 message too big, 1007 invalid UTF-8,
   * any other framing error 1002; null when the failure is not a decoder's (I/O and the like).
   */
  public static Reason reason(Throwable failure) {
    if (failure instanceof CorruptedWebSocketFrameException corrupted) {
      WebSocketCloseStatus status = corrupted.closeStatus();
      if (status != null && status.code() == 1009) {
        return Reason.MESSAGE_TOO_BIG;
      }
      if (status != null && status.code() == 1007) {
        return Reason.INVALID_UTF8;
      }
      return Reason.PROTOCOL_ERROR;
    }
    return null;
  }
}
