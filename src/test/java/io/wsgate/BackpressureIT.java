package io.wsgate;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.ClientWebSocket;
import io.wsgate.testing.Await;
import io.wsgate.testing.GatewayHarness;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A fast upstream pushes 200 MB through the gateway to a client that reads slowly. With
 * backpressure end to end the gateway only ever holds a few socket buffers' worth; without it,
 * the gateway would queue most of the 200 MB on its heap.
 */
class BackpressureIT {
  private static final long TOTAL_BYTES = 200L * 1024 * 1024;
  private static final int CHUNK = 64 * 1024;
  private static final long HEAP_BUDGET = 64L * 1024 * 1024;

  @Test
  void slowClientPausesTheUpstreamAndEveryByteArrivesInOrder() throws Exception {
    Vertx upstreamVertx = Vertx.vertx();
    HttpServer upstream = upstreamVertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .webSocketHandler(BackpressureIT::pushSequence);
    Await.result(upstream.listen());
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    try (GatewayHarness harness = new GatewayHarness(TestPolicy.create()
        .route("/feed", "ws://127.0.0.1:" + upstream.actualPort() + "/").maxMessageBytes(CHUNK).build())) {
      memory.gc();
      long baseline = memory.getHeapMemoryUsage().getUsed();
      AtomicLong maxHeap = new AtomicLong();
      AtomicLong received = new AtomicLong();
      AtomicLong expected = new AtomicLong();
      CompletableFuture<Void> done = new CompletableFuture<>();

      // The handler is in place before the upgrade completes: the upstream starts pushing at once,
      // and a message arriving before a handler set after connect() would be dropped by the client.
      ClientWebSocket ws = harness.client.webSocket();
      ws.binaryMessageHandler(data -> {
        for (int i = 0; i + 8 <= data.length(); i += 8) {
          long value = data.getLong(i);
          if (value != expected.getAndIncrement()) {
            done.completeExceptionally(new AssertionError("out of order at " + (expected.get() - 1) + ": " + value));
            return;
          }
        }
        if (received.addAndGet(data.length()) == TOTAL_BYTES) {
          done.complete(null);
        }
      });
      Await.result(ws.connect(harness.options("/feed")).onSuccess(connected -> ws.pause()));
      // The slow reader: one 64 KiB message every 2 ms, about 30 MB/s.
      long reader = harness.clientVertx.setPeriodic(2, id -> ws.fetch(1));
      long sampler = harness.clientVertx.setPeriodic(500, id -> {
        memory.gc();
        maxHeap.accumulateAndGet(memory.getHeapMemoryUsage().getUsed() - baseline, Math::max);
      });
      long start = System.nanoTime();
      done.get(Duration.ofMinutes(3).toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      double seconds = (System.nanoTime() - start) / 1e9;
      harness.clientVertx.cancelTimer(reader);
      harness.clientVertx.cancelTimer(sampler);

      assertEquals(TOTAL_BYTES, received.get());
      System.out.printf("backpressure: 200 MB in %.1f s (%.1f MB/s to a slow reader), max heap above baseline %d MB%n",
          seconds, 200 / seconds, maxHeap.get() / (1024 * 1024));
      assertTrue(maxHeap.get() < HEAP_BUDGET,
          "heap grew by " + maxHeap.get() / (1024 * 1024) + " MB while relaying to a slow reader");
    } finally {
      Await.result(upstreamVertx.close());
    }
  }

  /** Writes consecutive longs in 64 KiB messages, only as fast as the gateway takes them. */
  private static void pushSequence(ServerWebSocket ws) {
    long[] next = {0};
    Runnable[] pump = new Runnable[1];
    pump[0] = () -> {
      while (next[0] * 8 < TOTAL_BYTES && !ws.writeQueueFull()) {
        Buffer chunk = Buffer.buffer(CHUNK);
        for (int i = 0; i < CHUNK / 8; i++) {
          chunk.appendLong(next[0]++);
        }
        ws.writeBinaryMessage(chunk);
      }
      if (next[0] * 8 < TOTAL_BYTES) {
        ws.drainHandler(v -> pump[0].run());
      }
    };
    pump[0].run();
  }
}
