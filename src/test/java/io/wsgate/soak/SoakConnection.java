package io.wsgate.soak;

import io.vertx.core.http.WebSocket;

/**
 * One client connection's view of the soak: broadcasts must arrive with consecutive sequence
 * numbers, its own echoes in the order it sent them, and nothing may close it before the driver
 * does. Its handlers all run on the connection's event loop; the driver reads the fields only
 * after traffic has stopped.
 */
final class SoakConnection {
  final int id;
  private final DeliveryLatency latency;
  private volatile WebSocket ws;
  volatile long firstSeq = -1;
  volatile long received;
  volatile long lost;
  volatile long reordered;
  volatile long echoesSent;
  volatile long echoesReceived;
  volatile long echoesOutOfOrder;
  volatile boolean closedUnexpectedly;
  volatile String closeDetail;
  private long nextSeq;
  private volatile boolean closing;

  SoakConnection(int id, DeliveryLatency latency) {
    this.id = id;
    this.latency = latency;
  }

  void attach(WebSocket ws) {
    this.ws = ws;
    ws.textMessageHandler(this::onText);
    ws.closeHandler(v -> {
      if (!closing) {
        closedUnexpectedly = true;
        closeDetail = "closed " + ws.closeStatusCode() + " " + ws.closeReason();
      }
    });
    ws.exceptionHandler(e -> {
      if (!closing && closeDetail == null) {
        closeDetail = "error " + e;
      }
    });
  }

  void onText(String text) {
    if (text.startsWith("b ")) {
      int space = text.indexOf(' ', 2);
      long seq = Long.parseLong(text, 2, space, 10);
      long sentAt = Long.parseLong(text, space + 1, text.length(), 10);
      latency.record(System.nanoTime() - sentAt);
      received++;
      if (firstSeq < 0) {
        firstSeq = seq;
      } else if (seq > nextSeq) {
        lost += seq - nextSeq;
      } else if (seq < nextSeq) {
        reordered++;
        return;
      }
      nextSeq = seq + 1;
    } else if (text.startsWith("e ")) {
      long n = Long.parseLong(text, text.lastIndexOf(' ') + 1, text.length(), 10);
      if (n != echoesReceived) {
        echoesOutOfOrder++;
      }
      echoesReceived++;
    }
  }

  boolean isOpen() {
    WebSocket socket = ws;
    return socket != null && !socket.isClosed() && !closedUnexpectedly;
  }

  /** Sends the next echo request; called on this connection's event loop. */
  void sendEcho() {
    if (isOpen() && !closing) {
      ws.writeTextMessage("e " + id + " " + echoesSent);
      echoesSent++;
    }
  }

  WebSocket socket() {
    return ws;
  }

  void expectClose() {
    closing = true;
  }
}
