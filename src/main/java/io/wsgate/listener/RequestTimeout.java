package io.wsgate.listener;

import io.wsgate.internal.VertxInternals;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.http.HttpConnection;
import io.wsgate.Reason;

import java.nio.charset.StandardCharsets;

/**
 * Answers a connection whose request head never arrived (RFC 9110 §15.5.9: 408 may be sent on an
 * idle connection) and closes it. Vert.x has no request to answer at that point, so the response
 * goes straight to the connection's HTTP encoder.
 */
final class RequestTimeout {
  private RequestTimeout() {
  }

  static void answer(HttpConnection connection, Reason reason) {
    Channel channel = VertxInternals.channel(connection);
    byte[] body = (reason.description() + "\n").getBytes(StandardCharsets.UTF_8);
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.valueOf(reason.code()), Unpooled.wrappedBuffer(body));
    response.headers()
        .set(HttpHeaderNames.CONNECTION, "close")
        .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
        .set(HttpHeaderNames.CONTENT_LENGTH, body.length);
    channel.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }
}
