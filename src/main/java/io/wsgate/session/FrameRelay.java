package io.wsgate.session;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.http.WebSocketFrame;
import io.wsgate.Reason;
import io.wsgate.websocket.Utf8Validator;
import io.wsgate.policy.FrameLimits;

import java.util.ArrayList;
import java.util.List;

/**
 * Moves data frames one way, unchanged (same type, same fragmentation, same payload object, so no
 * copy), while enforcing the message size limit, the fragments a message may have for its size
 * (tiny fragments would otherwise slip past every per-message limit, and pile up while a message
 * is held) and fail-fast UTF-8 validity of text messages.
 * With an inspector (message rules, re-authentication), a message's frames are held until it is
 * complete — at most {@code maxMessageBytes} — and forwarded only if the inspector lets it pass;
 * a fragmented message is then assembled once for the inspector, its frames still forwarded as they came.
 * Control frames stay on their own hop: pings and pongs are answered per hop, closes are handled
 * by the {@link Session}. When the destination's write queue is full the source is paused until
 * it drains: memory stays bounded whatever the speed of either side.
 */
final class FrameRelay implements Handler<WebSocketFrame> {
  private final WebSocketBase from;
  private final WebSocketBase to;
  private final Session session;
  private final long maxMessageBytes;
  private final FrameLimits frameLimits;
  private final Utf8Validator utf8 = new Utf8Validator();
  private final MessageInspector inspector;
  private final List<WebSocketFrame> held;
  private boolean text;
  private long messageBytes;
  private long fragments;
  /** Whether this relay paused its source because the destination's write queue is full. */
  boolean pausedSource;
  long messages;
  long bytes;

  FrameRelay(WebSocketBase from, WebSocketBase to, Session session, long maxMessageBytes, FrameLimits frameLimits,
             MessageInspector inspector) {
    this.from = from;
    this.to = to;
    this.session = session;
    this.maxMessageBytes = maxMessageBytes;
    this.frameLimits = frameLimits;
    this.inspector = inspector;
    this.held = inspector == null ? null : new ArrayList<>(4);
  }

  /** The destination's write queue drained (the session owns the drain handlers): read the source again. */
  void destinationDrained() {
    if (pausedSource) {
      pausedSource = false;
      session.sourceFreed(from);
    }
  }

  @Override
  public void handle(WebSocketFrame frame) {
    switch (frame.type()) {
      case TEXT, BINARY -> {
        text = frame.isText();
        messageBytes = 0;
        fragments = 0;
        utf8.reset();
      }
      case CONTINUATION -> {
      }
      case CLOSE -> {
        session.peerClosed(from, frame.closeStatusCode(), frame.closeReason());
        return;
      }
      default -> {
        session.controlFrame(from);
        return;
      }
    }
    Buffer payload = frame.binaryData();
    int length = payload.length();
    messageBytes += length;
    if (messageBytes > maxMessageBytes) {
      session.terminate(Reason.MESSAGE_TOO_BIG);
      return;
    }
    if (frameLimits.tooFragmented(++fragments, messageBytes)) {
      session.fragmentFlood();
      return;
    }
    if (text && (!utf8.update(payload) || (frame.isFinal() && !utf8.complete()))) {
      session.terminate(Reason.INVALID_UTF8);
      return;
    }
    session.relayed(from);
    if (inspector == null) {
      forward(frame, length);
      return;
    }
    held.add(frame);
    if (frame.isFinal()) {
      boolean pass = inspector.inspect(text, held.size() == 1 ? payload : assemble());
      if (pass) {
        for (WebSocketFrame f : held) {
          forward(f, f.binaryData().length());
        }
      }
      held.clear();
    }
  }

  private void forward(WebSocketFrame frame, int length) {
    if (to.isClosed()) {
      // The other side is gone and the session is ending: nothing can be delivered any more.
      return;
    }
    // The write hands the payload to Netty, which consumes it: read nothing from it afterwards.
    to.writeFrame(frame);
    bytes += length;
    if (frame.isFinal()) {
      messages++;
    }
    if (to.writeQueueFull() && !pausedSource) {
      pausedSource = true;
      session.sourcePaused(from);
    }
  }

  private Buffer assemble() {
    Buffer whole = Buffer.buffer((int) messageBytes);
    for (WebSocketFrame f : held) {
      whole.appendBuffer(f.binaryData());
    }
    return whole;
  }
}
