package io.wsgate.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.internal.http.WebSocketInternal;

/**
 * Tells whether a client has sent part of a frame and not the rest (a slowloris on a frame header
 * or body): compares the bytes that reached the WebSocket decoder with the bytes of the frames it
 * decoded. Two small Netty handlers sit on either side of the decoder, on the session's event loop;
 * they add a counter each per read and per frame, nothing else.
 *
 * <p>Bytes that reached the decoder before the watch was installed (a client that sends frames
 * without waiting for the 101) are not counted; the count is resynchronised when the frame they
 * began is decoded, so the watch may miss that one frame, never report a frame that is complete.
 */
public final class PartialFrameWatch {
  private long bytesIn;
  private long bytesDecoded;

  private PartialFrameWatch() {
  }

  /** Watches a server-side socket (client frames are masked); a socket without a decoder is never unfinished. */
  public static PartialFrameWatch install(WebSocketBase socket) {
    PartialFrameWatch watch = new PartialFrameWatch();
    ChannelPipeline pipeline = ((WebSocketInternal) socket).channelHandlerContext().pipeline();
    ChannelHandlerContext decoder = pipeline.context(WebSocketFrameDecoder.class);
    if (decoder != null) {
      pipeline.addBefore(decoder.name(), null, watch.new BytesIn());
      pipeline.addAfter(decoder.name(), null, watch.new FramesOut());
    }
    return watch;
  }

  /** Whether bytes have arrived that do not yet make a complete frame. */
  public boolean frameUnfinished() {
    return bytesIn > bytesDecoded;
  }

  /** RFC 6455 §5.2: 2 bytes, the extended length (2 or 8 bytes, minimal encoding), the 4-byte mask. */
  static int clientHeaderBytes(int payloadLength) {
    return 2 + 4 + (payloadLength < 126 ? 0 : payloadLength < 65536 ? 2 : 8);
  }

  private final class BytesIn extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof ByteBuf bytes) {
        bytesIn += bytes.readableBytes();
      }
      ctx.fireChannelRead(msg);
    }
  }

  private final class FramesOut extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof WebSocketFrame frame) {
        int length = frame.content().readableBytes();
        bytesDecoded += clientHeaderBytes(length) + length;
        if (bytesDecoded > bytesIn) {
          bytesIn = bytesDecoded;
        }
      }
      ctx.fireChannelRead(msg);
    }
  }
}
