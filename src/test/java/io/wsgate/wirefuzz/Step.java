package io.wsgate.wirefuzz;

import java.util.List;
import java.util.stream.Collectors;

/** One thing the fuzzer does on one of its connections (0, 1, 2: each opened, over TLS, on first use). */
sealed interface Step {
  int conn();

  /** Writes the pieces in one write: several requests, or a request and frames, pipelined. */
  record Send(int conn, List<Piece> pieces) implements Step {
    public Send {
      pieces = List.copyOf(pieces);
    }

    @Override
    public String toString() {
      return "conn " + conn + ": write [" + pieces.stream().map(Piece::toString).collect(Collectors.joining(" + "))
          + "]";
    }
  }

  /** Reads whatever the gateway sends for {@code millis}, or until it closes the connection. */
  record Read(int conn, int millis) implements Step {
    @Override
    public String toString() {
      return "conn " + conn + ": read " + millis + " ms";
    }
  }

  /** Closes the connection: TLS close_notify, then FIN. */
  record Close(int conn) implements Step {
    @Override
    public String toString() {
      return "conn " + conn + ": close";
    }
  }

  /** Drops the connection with a TCP reset, without a TLS close_notify. */
  record Reset(int conn) implements Step {
    @Override
    public String toString() {
      return "conn " + conn + ": reset";
    }
  }
}
