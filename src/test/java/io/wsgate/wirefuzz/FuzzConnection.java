package io.wsgate.wirefuzz;

import io.wsgate.testing.TestCerts;

import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * One raw TLS connection to the gateway that never throws: the gateway may refuse, close or reset it
 * at any point, and the fuzzer goes on with its next step. Keeps a short note of what came back.
 */
final class FuzzConnection {
  private static final int NOTE_LIMIT = 160;

  private final Socket tcp;
  private final SSLSocket tls;
  private final StringBuilder received = new StringBuilder();
  private boolean gone;

  FuzzConnection(int port) throws IOException {
    tcp = new Socket();
    tcp.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    // Layered over a socket of our own, so that a reset can skip TLS's close_notify.
    tls = (SSLSocket) TestCerts.sslContext().getSocketFactory().createSocket(tcp, "localhost", port, true);
    tls.setSoTimeout(5000);
    tls.startHandshake();
  }

  void send(byte[] bytes) {
    if (gone) {
      return;
    }
    try {
      tls.getOutputStream().write(bytes);
      tls.getOutputStream().flush();
    } catch (IOException e) {
      gone("write failed: " + e.getMessage());
    }
  }

  void read(int millis) {
    if (gone) {
      return;
    }
    long deadline = System.nanoTime() + millis * 1_000_000L;
    byte[] buffer = new byte[4096];
    try {
      InputStream in = tls.getInputStream();
      long left;
      while ((left = (deadline - System.nanoTime()) / 1_000_000L) > 0) {
        tls.setSoTimeout((int) left);
        int n = in.read(buffer);
        if (n < 0) {
          gone("closed by the gateway");
          return;
        }
        note(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
      }
    } catch (SocketTimeoutException quiet) {
      // nothing more within the time
    } catch (IOException e) {
      gone("read failed: " + e.getMessage());
    }
  }

  void close() {
    if (!gone) {
      gone = true;
      try {
        tls.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }

  void reset() {
    if (!gone) {
      gone = true;
      try {
        tcp.setSoLinger(true, 0);
        tcp.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }

  /** The start of what the gateway sent (status lines and frame bytes), and how the connection ended. */
  String note() {
    return received.toString();
  }

  private void gone(String why) {
    note(" <" + why + ">");
    close();
  }

  private void note(String text) {
    if (received.length() < NOTE_LIMIT) {
      String printable = text.replace("\r\n", "⏎").replaceAll("[^\\x20-\\x7e⏎<>]", ".");
      received.append(printable, 0, Math.min(printable.length(), NOTE_LIMIT - received.length()));
    }
  }
}
