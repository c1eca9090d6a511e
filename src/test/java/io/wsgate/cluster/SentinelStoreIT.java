package io.wsgate.cluster;

import io.wsgate.policy.StoreEndpoint;
import io.wsgate.testing.Await;
import io.wsgate.testing.RedisServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A redis-sentinel:// endpoint: the store asks a real Sentinel (redis-server --sentinel) for the master. */
class SentinelStoreIT {
  @Test
  void connectsToTheMasterThatTheSentinelNames() throws Exception {
    try (RedisServer master = RedisServer.start()) {
      Path dir = Files.createTempDirectory("wsgate-sentinel-");
      int port;
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = socket.getLocalPort();
      }
      Path conf = dir.resolve("sentinel.conf");
      Files.writeString(conf, "port " + port + "\nbind 127.0.0.1\ndir " + dir + "\n"
          + "sentinel monitor main 127.0.0.1 " + master.port() + " 1\n");
      Process sentinel = new ProcessBuilder(RedisServer.BINARY.toString(), conf.toString(), "--sentinel")
          .redirectErrorStream(true).redirectOutput(dir.resolve("sentinel.log").toFile()).start();
      try {
        Await.until("sentinel ready", Duration.ofSeconds(10), () -> log(dir).contains("+monitor master main"));
        StoreEndpoint endpoint = StoreEndpoint.parse("redis-sentinel://127.0.0.1:" + port + "#main");
        try (RedisStore store = RedisStore.open(StoreSettings.defaults(endpoint, "gw-a"))) {
          Await.until("store up through the Sentinel", Duration.ofSeconds(10), store.health()::isUp);
          store.call(r -> r.set("through-sentinel", RedisScript.bytes("yes"))).get(5, TimeUnit.SECONDS);
          assertEquals("yes", master.cli("GET", "through-sentinel"), "the write reached the master");
          assertTrue(endpoint.redacted().startsWith("redis-sentinel://127.0.0.1:" + port), endpoint.redacted());
        }
      } finally {
        sentinel.destroyForcibly();
        sentinel.waitFor(10, TimeUnit.SECONDS);
        try (var files = Files.walk(dir)) {
          files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  private static String log(Path dir) {
    try {
      Path log = dir.resolve("sentinel.log");
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      return "";
    }
  }
}
