package io.wsgate.audit;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.wsgate.policy.SyslogSettings;

import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * One audit line as an RFC 5424 message in RFC 6587 octet-counting framing:
 * {@code LEN SP <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - MSG}, where TIMESTAMP is the
 * record's {@code ts}, HOSTNAME its {@code node}, MSGID its {@code event}, there is no structured
 * data, and MSG is the exact sealed line (so the copy can be chain-verified like the file).
 *
 * <pre>{@code
 * Buffer frame = new SyslogFormat(settings, pid).frame(record, lineBytes);
 * // 312 <109>1 2026-11-25T09:14:03.120Z gw-eu-1 wsgate 4242 handshake.rejected - {"seq":3,...}
 * }</pre>
 */
final class SyslogFormat {
  /** RFC 5424 §6.2.1 severities. */
  static final int NOTICE = 5;
  static final int INFORMATIONAL = 6;
  /** Refusals and deletions are notices; every other record is informational. */
  private static final Set<String> NOTICES = Set.of("handshake.rejected", "message.refused",
      "session.reauth_refused", AuditRetention.EVENT);
  /** RFC 5424 §6: MSGID is at most 32 printable US-ASCII characters, HOSTNAME at most 255. */
  private static final int MAX_MSGID = 32;
  private static final int MAX_HOSTNAME = 255;

  private final int facility;
  private final String appName;
  private final String procId;

  SyslogFormat(SyslogSettings settings, long pid) {
    this.facility = settings.facility();
    this.appName = settings.appName();
    this.procId = Long.toString(pid);
  }

  Buffer frame(JsonObject record, byte[] line) {
    String event = field(record, "event", MAX_MSGID);
    int severity = NOTICES.contains(event) ? NOTICE : INFORMATIONAL;
    byte[] head = ("<" + (facility * 8 + severity) + ">1 " + field(record, "ts", 64) + " "
        + field(record, "node", MAX_HOSTNAME) + " " + appName + " " + procId + " " + event + " - ")
        .getBytes(StandardCharsets.US_ASCII);
    int length = head.length + line.length;
    return Buffer.buffer(length + 16).appendString(length + " ").appendBytes(head).appendBytes(line);
  }

  /** The field as a header token: printable US-ASCII without spaces, cut to {@code max}; {@code -} when absent. */
  private static String field(JsonObject record, String name, int max) {
    Object value = record.getValue(name);
    if (!(value instanceof String s) || s.isEmpty()) {
      return "-";
    }
    StringBuilder out = new StringBuilder(Math.min(s.length(), max));
    for (int i = 0; i < s.length() && out.length() < max; i++) {
      char c = s.charAt(i);
      out.append(c > 0x20 && c < 0x7f ? c : '_');
    }
    return out.toString();
  }
}
