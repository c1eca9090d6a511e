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
 * driver can prove each client got exactly those, in order. One event loop: the broadcasts and
 * every session run on the same thread, so the bookkeeping needs no locks.
 */
final class BroadcastUpstream {
  private final Vertx vertx;
  private final Context context;
  private final long[] firstSeq;
  private final long[] sent;
  private final ServerWebSocket[] sessions;
  private final boolean[] closedEarly;
  private HttpServer server;
  private long seq;
  private static final int SLICE = 250;
  private long timer = -1;
  private int fanOutsRunning;
  private Promise<Void> stopped;
  private boolean closing;
  private int open;
  private int badRequests;

  BroadcastUpstream(Vertx vertx, int connections) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.firstSeq = new long[connections];
    this.sent = new long[connections];
    this.sessions = new ServerWebSocket[connections];
    this.closedEarly = new boolean[connections];
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
        closedEarly[id] = true;
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
    fanOutsRunning++;
    fanOut("b " + seq + " " + System.nanoTime(), 0);
  }

  /**
   * Sends one broadcast to a slice of the sessions, then queues the next slice behind whatever else
   * the event loop has to do: a burst to 8,000 sessions in one go blocks the loop for seconds on a
   * busy machine, and new sessions' handshakes time out at the gateway (upstream_timeout). Slices of
   * a later broadcast always run after the same slice of an earlier one, so order per session holds.
   */
  private void fanOut(String message, int from) {
    int to = Math.min(sessions.length, from + SLICE);
    for (int id = from; id < to; id++) {
      ServerWebSocket ws = sessions[id];
      if (ws == null || ws.isClosed()) {
        continue;
      }
      if (firstSeq[id] < 0) {
        firstSeq[id] = seq(message);
      }
      sent[id]++;
      ws.writeTextMessage(message);
    }
    if (to < sessions.length) {
      context.runOnContext(v -> fanOut(message, to));
    } else if (--fanOutsRunning == 0 && stopped != null) {
      stopped.complete();
    }
  }

  private static long seq(String message) {
    return Long.parseLong(message, 2, message.indexOf(' ', 2), 10);
  }

  /** Stops the broadcast; completes once the last one has been handed to every session. */
  Future<Void> stopBroadcast() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      vertx.cancelTimer(timer);
      stopped = done;
      if (fanOutsRunning == 0) {
        done.complete();
      }
    });
    return done.future();
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
    context.runOnContext(v -> copy.complete(new Snapshot(firstSeq.clone(), sent.clone(),
        closedEarly.clone(), open, badRequests, seq)));
    return copy.future();
  }

  Future<Void> close() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  record Snapshot(long[] firstSeq, long[] sent, boolean[] closedEarly, int open, int badRequests, long ticks) {
  }
}
