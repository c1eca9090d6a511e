package io.wsgate.audit;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.ConnectOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemTrustOptions;
import io.wsgate.metrics.GatewayMetrics;
import io.wsgate.policy.SyslogSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Copies each audit line to an RFC 5424 receiver over TCP or TLS ({@link SyslogFormat}), beside
 * the files, which stay the source of truth. The audit writer only offers frames to a bounded
 * queue (never waits); a Vert.x event loop sends them without blocking, stops taking from the queue
 * while the socket's write queue is full, and reconnects with a doubling backoff after a failure.
 * While the receiver is away the queue fills and further copies are dropped and counted
 * ({@link GatewayMetrics#syslogDrops()}). Delivery is at most once: what the socket had taken when
 * the connection broke is lost too; the {@code seq} in each message shows the receiver the gap.
 *
 * <pre>{@code
 * SyslogSink sink = new SyslogSink(settings.syslog(), metrics);
 * sink.offer(sink.frame(record, lineBytes)); // writer thread, once the line is forced to disk
 * sink.start(vertx);               // once the gateway's Vert.x exists; frames queued before are sent then
 * }</pre>
 */
final class SyslogSink {
  private static final Logger LOG = LoggerFactory.getLogger(SyslogSink.class);
  static final long MIN_BACKOFF_MS = 100;
  static final long MAX_BACKOFF_MS = 30_000;
  private static final int CONNECT_TIMEOUT_MS = 5_000;
  /** Frames sent in one event-loop turn before yielding to other work. */
  private static final int BATCH = 256;

  private final SyslogSettings settings;
  private final SyslogFormat format;
  private final GatewayMetrics metrics;
  private final BlockingQueue<Buffer> queue;
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private volatile Context context;
  private volatile boolean closed;

  // Confined to the context's event loop.
  private Vertx vertx;
  private NetClient client;
  private NetSocket socket;
  private long backoffMs = MIN_BACKOFF_MS;
  private boolean outageLogged;

  SyslogSink(SyslogSettings settings, GatewayMetrics metrics) {
    this.settings = settings;
    this.format = new SyslogFormat(settings, ProcessHandle.current().pid());
    this.metrics = metrics;
    this.queue = new ArrayBlockingQueue<>(settings.queueSize());
  }

  /** The line's syslog copy, for {@link #offer(Buffer)} once the line is on disk. */
  Buffer frame(JsonObject record, byte[] line) {
    return format.frame(record, line);
  }

  /** Queues a copy; never blocks. A full queue drops it and counts the drop. */
  void offer(Buffer frame) {
    if (closed || !queue.offer(frame)) {
      metrics.syslogDropped(1);
      return;
    }
    wake();
  }

  int queueDepth() {
    return queue.size();
  }

  /** Connects on one of {@code vertx}'s event loops and starts sending. */
  void start(Vertx vertx) {
    Context ctx = vertx.getOrCreateContext();
    ctx.runOnContext(v -> {
      this.vertx = vertx;
      NetClientOptions options = new NetClientOptions().setConnectTimeout(CONNECT_TIMEOUT_MS).setTcpNoDelay(true);
      client = vertx.createNetClient(options);
      context = ctx;
      connect();
    });
  }

  /**
   * Stops sending; what is still queued is dropped and counted. Does not wait: the gateway may
   * already have closed its Vert.x, which closes the connection anyway.
   */
  void close() {
    closed = true;
    dropQueued();
    metrics.syslogConnected(false);
    Context ctx = context;
    if (ctx != null) {
      try {
        ctx.runOnContext(v -> {
          if (socket != null) {
            socket.close();
            socket = null;
          }
          client.close();
        });
      } catch (RuntimeException e) {
        LOG.debug("audit syslog: Vert.x already closed, and the connection with it ({})", e.toString());
      }
    }
  }

  private void dropQueued() {
    int n = queue.size();
    queue.clear();
    if (n > 0) {
      metrics.syslogDropped(n);
    }
  }

  private void wake() {
    Context ctx = context;
    if (ctx != null && scheduled.compareAndSet(false, true)) {
      ctx.runOnContext(v -> drain());
    }
  }

  private void drain() {
    scheduled.set(false);
    if (socket == null || closed) {
      return;
    }
    for (int n = 0; n < BATCH; n++) {
      if (socket.writeQueueFull()) {
        socket.drainHandler(v -> drain());
        return;
      }
      Buffer frame = queue.poll();
      if (frame == null) {
        return;
      }
      socket.write(frame);
    }
    wake(); // more may be waiting: continue in a later turn
  }

  private void connect() {
    if (closed) {
      return;
    }
    ConnectOptions options = new ConnectOptions().setHost(settings.host()).setPort(settings.port());
    if (settings.transport() == SyslogSettings.Transport.TLS) {
      ClientSSLOptions ssl = new ClientSSLOptions().setHostnameVerificationAlgorithm("HTTPS");
      if (settings.caFile() != null) {
        ssl.setTrustOptions(new PemTrustOptions().addCertPath(settings.caFile().toString()));
      }
      options.setSsl(true).setSslOptions(ssl);
    }
    client.connect(options).onComplete(ar -> {
      if (ar.failed()) {
        retry(ar.cause().getMessage());
        return;
      }
      NetSocket connected = ar.result();
      if (closed) {
        connected.close();
        return;
      }
      socket = connected;
      backoffMs = MIN_BACKOFF_MS;
      metrics.syslogConnected(true);
      if (outageLogged) {
        LOG.info("audit syslog: connected to {}:{} again", settings.host(), settings.port());
        outageLogged = false;
      }
      connected.handler(ignored -> { }); // a receiver has nothing to say; RFC 6587 is one-way
      connected.exceptionHandler(e -> connected.close());
      connected.closeHandler(v -> {
        if (socket == connected) {
          socket = null;
          metrics.syslogConnected(false);
          retry("connection closed");
        }
      });
      drain();
    });
  }

  private void retry(String cause) {
    if (closed) {
      return;
    }
    if (!outageLogged) {
      // Once per outage: the drops are counted in the metric, not logged per record.
      LOG.warn("audit syslog: {}:{} unavailable ({}); records stay in the audit files, copies are queued up to {}"
          + " and then dropped (wsgate_audit_syslog_dropped_total)", settings.host(), settings.port(), cause,
          settings.queueSize());
      outageLogged = true;
    }
    long delay = backoffMs;
    backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
    try {
      vertx.setTimer(delay, id -> connect());
    } catch (IllegalStateException | java.util.concurrent.RejectedExecutionException e) {
      closed = true; // Vert.x is closing with the gateway
    }
  }
}
