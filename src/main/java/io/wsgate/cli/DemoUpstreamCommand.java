package io.wsgate.cli;

import io.vertx.core.Vertx;
import io.wsgate.demo.DemoUpstream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

@Command(name = "demo-upstream", mixinStandardHelpOptions = true,
    description = "Run the demo broadcast upstream alone (plain ws://), like the seed's Node server.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:stopped", "1:could not start", "2:usage error"})
final class DemoUpstreamCommand implements Callable<Integer> {
  @Option(names = "--port", paramLabel = "N", defaultValue = "8080", description = "Port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Bind address (default: ${DEFAULT-VALUE}).")
  String host;

  @Override
  public Integer call() throws Exception {
    Vertx vertx = Vertx.vertx();
    DemoUpstream upstream;
    try {
      upstream = DemoUpstream.start(vertx, host, port).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("demo-upstream: could not start: " + (e.getCause() != null ? e.getCause().getMessage() : e));
      vertx.close();
      return 1;
    }
    System.out.println("demo upstream listening on ws://" + host + ":" + upstream.port() + "/");
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      vertx.close();
      stopped.countDown();
    }));
    stopped.await();
    return 0;
  }
}
