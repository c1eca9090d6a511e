package io.wsgate.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemKeyCertOptions;

import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A syslog receiver on loopback that takes RFC 6587 octet-counted RFC 5424 messages over TCP or TLS
 * and parses each strictly: a frame or a header that does not conform is recorded as a problem
 * (and the connection closed), so a test can assert there were none.
 */
public final class SyslogReceiver implements AutoCloseable {
  /** RFC 5424 §6: HEADER SP STRUCTURED-DATA [SP MSG], with the field lengths of §6.2. */
  private static final Pattern MESSAGE = Pattern.compile(
      "<(\\d{1,3})>1 (\\S{1,64}) ([\\x21-\\x7e]{1,255}) ([\\x21-\\x7e]{1,48}) ([\\x21-\\x7e]{1,128}) "
          + "([\\x21-\\x7e]{1,32}) (-|(?:\\[[^\\]]+\\])+)(?: (.*))?", Pattern.DOTALL);

  /** One message as received. */
  public record Message(int facility, int severity, String timestamp, String hostname, String appName, String procId,
                        String msgId, String structuredData, String msg) {
  }

  private final Vertx vertx = Vertx.vertx();
  private final boolean tls;
  private final Set<NetSocket> sockets = ConcurrentHashMap.newKeySet();
  public final List<Message> messages = new CopyOnWriteArrayList<>();
  public final List<String> problems = new CopyOnWriteArrayList<>();
  private NetServer server;

  public SyslogReceiver(boolean tls) {
    this.tls = tls;
  }

  /** Listens on {@code port} (0: any free port) and returns the port. */
  public int listen(int port) {
    NetServerOptions options = new NetServerOptions().setHost("127.0.0.1");
    if (tls) {
      options.setSsl(true).setKeyCertOptions(new PemKeyCertOptions().setCertPath(TestCerts.cert().toString())
          .setKeyPath(TestCerts.key().toString()));
    }
    server = vertx.createNetServer(options).connectHandler(this::connected);
    return Await.result(server.listen(port)).actualPort();
  }

  /** Stops listening and closes every connection: the receiver is down. */
  public void stop() {
    sockets.forEach(NetSocket::close);
    Await.result(server.close());
  }

  public int connections() {
    return sockets.size();
  }

  private void connected(NetSocket socket) {
    sockets.add(socket);
    socket.closeHandler(v -> sockets.remove(socket));
    Buffer[] pending = {Buffer.buffer()};
    socket.handler(data -> {
      pending[0].appendBuffer(data);
      pending[0] = frames(pending[0], socket);
    });
  }

  /** Takes every whole frame off the front of {@code data}; returns what is left. */
  private Buffer frames(Buffer data, NetSocket socket) {
    int at = 0;
    while (true) {
      int space = -1;
      for (int i = at; i < data.length() && i < at + 11; i++) {
        if (data.getByte(i) == ' ') {
          space = i;
          break;
        }
      }
      if (space < 0) {
        if (data.length() - at > 10) {
          fail(socket, "no MSG-LEN within 10 digits");
        }
        return data.getBuffer(at, data.length());
      }
      String digits = data.getString(at, space, "US-ASCII");
      if (!digits.matches("[1-9][0-9]*")) {
        fail(socket, "bad MSG-LEN " + digits);
        return Buffer.buffer();
      }
      int length = Integer.parseInt(digits);
      if (data.length() < space + 1 + length) {
        return data.getBuffer(at, data.length());
      }
      message(new String(data.getBytes(space + 1, space + 1 + length), StandardCharsets.UTF_8), socket);
      at = space + 1 + length;
    }
  }

  private void message(String text, NetSocket socket) {
    Matcher m = MESSAGE.matcher(text);
    if (!m.matches()) {
      fail(socket, "not RFC 5424: " + text);
      return;
    }
    int pri = Integer.parseInt(m.group(1));
    if (pri > 191) {
      fail(socket, "PRI out of range: " + pri);
      return;
    }
    try {
      OffsetDateTime.parse(m.group(2));
    } catch (RuntimeException e) {
      fail(socket, "TIMESTAMP not RFC 3339: " + m.group(2));
      return;
    }
    messages.add(new Message(pri / 8, pri % 8, m.group(2), m.group(3), m.group(4), m.group(5), m.group(6), m.group(7),
        m.group(8)));
  }

  private void fail(NetSocket socket, String problem) {
    problems.add(problem);
    socket.close();
  }

  @Override
  public void close() {
    Await.result(vertx.close());
  }
}
