package io.wsgate.audit;

import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.Set;

/** Renders audit records for people: one line each, safe to print on a terminal. */
public final class AuditFormat {
  private static final Set<String> HIDDEN = Set.of("seq", "v", "ts", "event", "prev", "hmac");

  private AuditFormat() {
  }

  /**
   * {@code 2026-11-25T09:14:03.120Z #42 session.accepted requestId=r-1 clientIp=203.0.113.9 route=/chat ...}:
   * time, sequence number, event, then every other field that is set, in record order.
   */
  public static String human(JsonObject record) {
    StringBuilder out = new StringBuilder();
    out.append(safe(String.valueOf(record.getValue("ts")))).append(" #").append(safe(String.valueOf(record.getValue("seq"))))
        .append(' ').append(safe(String.valueOf(record.getValue("event"))));
    for (Map.Entry<String, Object> field : record) {
      if (!HIDDEN.contains(field.getKey()) && field.getValue() != null) {
        out.append(' ').append(safe(field.getKey())).append('=').append(safe(String.valueOf(field.getValue())));
      }
    }
    return out.toString();
  }

  /**
   * The value as is when it is plain printable ASCII without spaces or quotes; otherwise quoted,
   * with every other character escaped as {@code \\uXXXX}. A subject or path chosen by a client
   * can thus never move the cursor, recolour the terminal or fake a second line.
   */
  public static String safe(String value) {
    boolean plain = !value.isEmpty();
    for (int i = 0; i < value.length() && plain; i++) {
      char c = value.charAt(i);
      plain = c > 0x20 && c < 0x7f && c != '"' && c != '\\';
    }
    if (plain) {
      return value;
    }
    StringBuilder out = new StringBuilder(value.length() + 2).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c >= 0x20 && c < 0x7f) {
        out.append(c);
      } else {
        out.append(String.format("\\u%04x", (int) c));
      }
    }
    return out.append('"').toString();
  }
}
