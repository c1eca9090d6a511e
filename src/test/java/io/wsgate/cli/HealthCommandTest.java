package io.wsgate.cli;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code wsgate health}: 0 for a 2xx, 1 for another status or no answer, 2 for a URL it will not ask. */
class HealthCommandTest {

  @Test
  void exitCodeFollowsTheStatus() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/health", exchange -> answer(exchange, 200, "{\"status\":\"UP\"}"));
    server.createContext("/ready", exchange -> answer(exchange, 503, "{\"status\":\"DOWN\",\"failed\":[\"shutdown\"]}"));
    server.start();
    try {
      String base = "http://127.0.0.1:" + server.getAddress().getPort();
      Result up = health("--url", base + "/health");
      assertEquals(0, up.exit());
      assertTrue(up.out().contains("/health: 200 {\"status\":\"UP\"}"), up.out());
      Result down = health("--url", base + "/ready");
      assertEquals(1, down.exit());
      assertTrue(down.err().contains("/ready: 503 {\"status\":\"DOWN\",\"failed\":[\"shutdown\"]}"), down.err());
    } finally {
      server.stop(0);
    }
  }

  @Test
  void noAnswerIsOneAndAUrlItWillNotAskIsAUsageError() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    Result refused = health("--url", "http://127.0.0.1:" + closedPort + "/health");
    assertEquals(1, refused.exit());
    assertTrue(refused.err().contains("no answer"), refused.err());
    assertEquals(2, health("--url", "https://127.0.0.1/health").exit(), "plain http only");
    assertEquals(2, health("--url", "not a url").exit());
    assertEquals(2, health("--timeout-ms", "0").exit());
  }

  private static void answer(com.sun.net.httpserver.HttpExchange exchange, int status, String body)
      throws java.io.IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  private record Result(int exit, String out, String err) {
  }

  /** The command prints with System.out/err (as a HEALTHCHECK's log shows them): captured here. */
  private static synchronized Result health(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
      String[] command = new String[args.length + 1];
      command[0] = "health";
      System.arraycopy(args, 0, command, 1, args.length);
      int exit = new CommandLine(new Main()).execute(command);
      return new Result(exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }
}
