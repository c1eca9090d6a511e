package io.wsgate.logging;

import org.slf4j.Logger;
import org.slf4j.MDC;

/**
 * Log lines about one request or session, carrying its request id (the audit's {@code requestId})
 * in the MDC key {@value #KEY}: the JSON log format shows it as a field, so an operator can join a
 * log line to the audit trail. Event loops are shared by many sessions, so the id is set just
 * around the one call and removed again; nothing is paid when the level is off.
 *
 * <pre>{@code
 * RequestLog.warn(LOG, handshake.requestId(), "upstream unavailable for route {}: {}", route, detail);
 * }</pre>
 */
public final class RequestLog {
  /** The MDC key, and the JSON field, of the request id. */
  public static final String KEY = "requestId";

  private RequestLog() {
  }

  public static void warn(Logger log, String requestId, String format, Object... arguments) {
    if (!log.isWarnEnabled()) {
      return;
    }
    MDC.put(KEY, requestId);
    try {
      log.warn(format, arguments);
    } finally {
      MDC.remove(KEY);
    }
  }
}
