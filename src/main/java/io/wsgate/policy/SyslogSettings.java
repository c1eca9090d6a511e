package io.wsgate.policy;

import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The optional RFC 5424 syslog copy of the audit records ({@code audit.syslog}; docs/audit.md,
 * "Syslog"). The files stay the source of truth: what the receiver does not take is counted, not
 * waited for.
 *
 * <pre>{@code
 * new SyslogSettings("siem.example.net", 6514, SyslogSettings.Transport.TLS, Path.of("/etc/wsgate/siem-ca.pem"),
 *     "wsgate", 13, 10_000)
 * }</pre>
 *
 * @param host      the receiver's host name or address
 * @param port      its TCP port
 * @param transport {@code tcp} (RFC 6587 octet counting) or {@code tls} (RFC 5425, the same framing)
 * @param caFile    PEM certificates that a {@code tls} receiver's certificate must chain to; null: the JVM's trust store
 * @param appName   the APP-NAME of every message (1..48 printable US-ASCII characters)
 * @param facility  the syslog facility number, 0..23 (default 13, log audit)
 * @param queueSize the most records waiting to be sent; beyond it they are dropped and counted
 */
public record SyslogSettings(String host, int port, Transport transport, Path caFile, String appName, int facility,
                             int queueSize) {
  public static final String DEFAULT_APP_NAME = "wsgate";
  /** RFC 5424 §6.2.1: facility 13 is "log audit". */
  public static final int DEFAULT_FACILITY = 13;
  public static final int DEFAULT_QUEUE_SIZE = 10_000;
  /** RFC 5424 §6: APP-NAME is 1*48PRINTUSASCII. */
  public static final Pattern APP_NAME = Pattern.compile("[\\x21-\\x7e]{1,48}");

  /** How records travel to the receiver. */
  public enum Transport {
    TCP("tcp"),
    TLS("tls");

    private final String tag;

    Transport(String tag) {
      this.tag = tag;
    }

    public String tag() {
      return tag;
    }
  }

  public SyslogSettings {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(transport, "transport");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be 1..65535, got " + port);
    }
    if (!APP_NAME.matcher(appName).matches()) {
      throw new IllegalArgumentException("appName must be 1..48 printable US-ASCII characters, got " + appName);
    }
    if (facility < 0 || facility > 23) {
      throw new IllegalArgumentException("facility must be 0..23, got " + facility);
    }
    if (queueSize < 1) {
      throw new IllegalArgumentException("queueSize must be > 0, got " + queueSize);
    }
  }
}
