package io.wsgate.testing;

import javax.net.ssl.SSLSocket;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A deliberately dumb client on a blocking socket (TLS with the test certificate, or plain), for
 * requests and frames that a well-behaved client library refuses to produce.
 */
public final class RawClient implements AutoCloseable {
  public static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  public RawClient(int port, boolean tls) throws IOException {
    this(port, tls, 0);
  }

  /**
   * @param receiveBufferBytes the socket's receive buffer when positive (set before connecting, so the
   *                           TCP window stays that small): a client that never reads fills it quickly
   */
  public RawClient(int port, boolean tls, int receiveBufferBytes) throws IOException {
    if (tls) {
      SSLSocket ssl = (SSLSocket) TestCerts.sslContext().getSocketFactory().createSocket();
      if (receiveBufferBytes > 0) {
        ssl.setReceiveBufferSize(receiveBufferBytes);
      }
      ssl.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      ssl.startHandshake();
      socket = ssl;
    } else {
      socket = new Socket();
      if (receiveBufferBytes > 0) {
        socket.setReceiveBufferSize(receiveBufferBytes);
      }
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    }
    socket.setSoTimeout(10_000);
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  public static String upgrade(String path) {
    return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
  }

  public RawClient send(String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    return this;
  }

  public RawClient send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
    return this;
  }

  /** Sends {@code bytes} and says whether that failed: the peer has closed its socket for good (a reset). */
  public boolean sendFails(byte[] bytes) {
    try {
      send(bytes);
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  /** Reads one response head (status line and headers). */
  public String readHead() throws IOException {
    StringBuilder head = new StringBuilder();
    while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("connection closed after: " + head);
      }
      head.append((char) b);
    }
    return head.toString();
  }

  public static int status(String head) {
    return Integer.parseInt(head.substring(9, 12));
  }

  /** True when the peer closed the connection (EOF or reset) within the socket timeout. */
  public boolean closedByPeer() throws IOException {
    try {
      while (true) {
        if (in.read() < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  /**
   * Reads everything the peer sends until it closes the connection (EOF or reset) and returns it;
   * fails when the connection is still open at the socket timeout.
   */
  public String readUntilClosed() throws IOException {
    StringBuilder rest = new StringBuilder();
    try {
      int b;
      while ((b = in.read()) >= 0) {
        rest.append((char) b);
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("the connection was still open after reading: " + rest, e);
    } catch (IOException e) {
      // reset: the peer is gone, which is what the caller waits for
    }
    return rest.toString();
  }

  public void timeout(int millis) throws IOException {
    socket.setSoTimeout(millis);
  }

  /** A client frame, masked as RFC 6455 §5.3 requires unless {@code masked} is false. */
  public static byte[] frame(int firstByte, byte[] payload, boolean masked) {
    ByteArrayOutputStream f = new ByteArrayOutputStream();
    f.write(firstByte);
    int maskBit = masked ? 0x80 : 0;
    if (payload.length < 126) {
      f.write(maskBit | payload.length);
    } else if (payload.length < 65536) {
      f.write(maskBit | 126);
      f.write(payload.length >>> 8);
      f.write(payload.length & 0xFF);
    } else {
      f.write(maskBit | 127);
      for (int i = 7; i >= 0; i--) {
        f.write((int) (((long) payload.length >>> (8 * i)) & 0xFF));
      }
    }
    if (masked) {
      byte[] mask = new byte[4];
      ThreadLocalRandom.current().nextBytes(mask);
      f.write(mask, 0, 4);
      for (int i = 0; i < payload.length; i++) {
        f.write(payload[i] ^ mask[i % 4]);
      }
    } else {
      f.write(payload, 0, payload.length);
    }
    return f.toByteArray();
  }

  /** Reads one server frame; returns {opcode, payload}. */
  public Frame readFrame() throws IOException {
    DataInputStream data = new DataInputStream(in);
    int b0 = data.readUnsignedByte();
    int b1 = data.readUnsignedByte();
    long length = b1 & 0x7F;
    if (length == 126) {
      length = data.readUnsignedShort();
    } else if (length == 127) {
      length = data.readLong();
    }
    byte[] payload = new byte[(int) length];
    data.readFully(payload);
    return new Frame(b0 & 0x0F, (b0 & 0x80) != 0, payload);
  }

  /** Reads frames until a close frame, and returns its status code (1005 when it carries none). */
  public int readCloseCode() throws IOException {
    while (true) {
      Frame frame = readFrame();
      if (frame.opcode() == 8) {
        return frame.payload().length >= 2 ? ((frame.payload()[0] & 0xFF) << 8) | (frame.payload()[1] & 0xFF) : 1005;
      }
    }
  }

  public record Frame(int opcode, boolean fin, byte[] payload) {
    public String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }
  }

  public static String randomKey() {
    byte[] nonce = new byte[16];
    ThreadLocalRandom.current().nextBytes(nonce);
    return Base64.getEncoder().encodeToString(nonce);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
