package io.wsgate.wirefuzz;

import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;

/** Plays a scenario's steps against the gateway's port, opening each connection on its first use. */
final class FuzzClients implements AutoCloseable {
  private final int port;
  private final Tokens tokens;
  private final Map<Integer, FuzzConnection> connections = new TreeMap<>();
  private final Map<Integer, String> failedToOpen = new TreeMap<>();

  FuzzClients(int port, Tokens tokens) {
    this.port = port;
    this.tokens = tokens;
  }

  void play(Scenario scenario) {
    for (Step step : scenario.steps()) {
      FuzzConnection c = connection(step.conn());
      if (c == null) {
        continue;
      }
      if (step instanceof Step.Send send) {
        c.send(bytes(send));
      } else if (step instanceof Step.Read read) {
        c.read(read.millis());
      } else if (step instanceof Step.Close) {
        c.close();
      } else if (step instanceof Step.Reset) {
        c.reset();
      }
    }
  }

  private byte[] bytes(Step.Send send) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (Piece piece : send.pieces()) {
      out.writeBytes(piece.bytes(tokens));
    }
    return out.toByteArray();
  }

  private FuzzConnection connection(int conn) {
    if (failedToOpen.containsKey(conn)) {
      return null;
    }
    FuzzConnection c = connections.get(conn);
    if (c == null) {
      try {
        c = new FuzzConnection(port);
        connections.put(conn, c);
      } catch (IOException e) {
        failedToOpen.put(conn, e.toString());
        return null;
      }
    }
    return c;
  }

  /** What each connection got back, for a failure report. */
  String notes() {
    StringBuilder out = new StringBuilder();
    connections.forEach((conn, c) -> out.append("\n  conn ").append(conn).append(" got: ").append(c.note()));
    failedToOpen.forEach((conn, why) -> out.append("\n  conn ").append(conn).append(" could not connect: ").append(why));
    return out.toString();
  }

  /** Every connection still open is closed: the invariants are checked once all clients have gone. */
  @Override
  public void close() {
    connections.values().forEach(FuzzConnection::close);
  }
}
