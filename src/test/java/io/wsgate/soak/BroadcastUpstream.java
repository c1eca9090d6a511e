package io.wsgate.soak;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;

import java.util.Arrays;

/**
 * The soak's upstream: every tick it sends {@code "b <seq> <nanoTime>"} to every connected session,
 * and echoes every {@code "e ..."} message back to its sender. It records, per client id (the
 * {@code id} query parameter), the first broadcast sequence it sent and how many it sent, so the
 * driver can prove each client got exactly those, in order. One event loop: the tick and every
 * session run on the same thread, so the bookkeeping needs no locks.
 */
final class BroadcastUpstream {
  private final Vertx vertx;
  private final Context context;
  private final long[] firstSeq;
  private final long[] sent;
  private final ServerWebSocket[] sessions;
  private HttpServer server;
  private long seq;
  private long timer = -1;
  private boolean closing;
  private int open;
  private int unexpectedCloses;
  private int badRequests;

  BroadcastUpstream(Vertx vertx, int connections) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.firstSeq = new long[connections];
    this.sent = new long[connections];
    this.sessions = new ServerWebSocket[connections];
    Arrays.fill(firstSeq, -1);
  }

  Future<Integer> start() {
    Promise<Integer> started = Promise.promise();
    context.runOnContext(v -> {
      server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)
              .setMaxWebSocketMessageSize(64 * 1024))
          .webSocketHandler(this::accept);
      server.listen().map(HttpServer::actualPort).onComplete(started);
    });
    return started.future();
  }

  private void accept(ServerWebSocket ws) {
    int id = idOf(ws.query());
    if (id < 0 || id >= sessions.length || sessions[id] != null) {
      badRequests++;
      ws.close((short) 1008, "bad id");
      return;
    }
    sessions[id] = ws;
    open++;
    ws.textMessageHandler(text -> {
      if (text.startsWith("e ")) {
        ws.writeTextMessage(text);
      }
    });
    ws.closeHandler(v -> {
      open--;
      if (!closing) {
        unexpectedCloses++;
      }
    });
  }

  private static int idOf(String query) {
    if (query == null || !query.startsWith("id=")) {
      return -1;
    }
    try {
      return Integer.parseInt(query.substring(3));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Starts broadcasting every {@code intervalMs}. */
  void broadcastEvery(long intervalMs) {
    context.runOnContext(v -> timer = vertx.setPeriodic(intervalMs, t -> tick()));
  }

  private void tick() {
    seq++;
    String message = "b " + seq + " " + System.nanoTime();
    for (int id = 0; id < sessions.length; id++) {
      ServerWebSocket ws = sessions[id];
      if (ws == null || ws.isClosed()) {
        continue;
      }
      if (firstSeq[id] < 0) {
        firstSeq[id] = seq;
      }
      sent[id]++;
      ws.writeTextMessage(message);
    }
  }

  Future<Void> stopBroadcast() {
    Promise<Void> stopped = Promise.promise();
    context.runOnContext(v -> {
      vertx.cancelTimer(timer);
      stopped.complete();
    });
    return stopped.future();
  }

  /** From now on a close is the driver's doing, not a failure. */
  Future<Void> expectCloses() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      closing = true;
      done.complete();
    });
    return done.future();
  }

  /** A consistent copy of the bookkeeping, taken on the upstream's event loop. */
  Future<Snapshot> snapshot() {
    Promise<Snapshot> copy = Promise.promise();
    context.runOnContext(v -> copy.complete(new Snapshot(firstSeq.clone(), sent.clone(), open,
        unexpectedCloses, badRequests, seq)));
    return copy.future();
  }

  Future<Void> close() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  record Snapshot(long[] firstSeq, long[] sent, int open, int unexpectedCloses, int badRequests, long ticks) {
    long totalSent() {
      long total = 0;
      for (long n : sent) {
        total += n;
      }
      return total;
    }
  }
}
