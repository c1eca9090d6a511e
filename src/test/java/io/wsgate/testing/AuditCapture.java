package io.wsgate.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.json.JsonObject;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/** Collects what the gateway writes to the {@code wsgate.audit} logger while it is open, as JSON objects. */
public final class AuditCapture implements AutoCloseable {
  private final Logger logger = (Logger) LoggerFactory.getLogger("wsgate.audit");
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Level previous = logger.getLevel();

  public AuditCapture() {
    appender.start();
    logger.addAppender(appender);
    logger.setLevel(Level.INFO);
  }

  /** Every audit event so far with {@code "event": type}. */
  public List<JsonObject> events(String type) {
    List<JsonObject> out = new ArrayList<>();
    for (JsonObject json : all()) {
      if (type.equals(json.getString("event"))) {
        out.add(json);
      }
    }
    return out;
  }

  /** Every audit event so far, of any type. */
  public List<JsonObject> all() {
    List<ILoggingEvent> copy;
    synchronized (appender) { // AppenderBase.doAppend holds this lock while it appends
      copy = new ArrayList<>(appender.list);
    }
    List<JsonObject> out = new ArrayList<>();
    for (ILoggingEvent e : copy) {
      out.add(new JsonObject(e.getFormattedMessage()));
    }
    return out;
  }

  /**
   * The audit is written by its own thread: waits (with a deadline) until the events of that type
   * satisfy {@code ready}, then returns them.
   */
  public List<JsonObject> await(String type, java.util.function.Predicate<List<JsonObject>> ready) {
    Await.until("audit events " + type, () -> ready.test(events(type)));
    return events(type);
  }

  /** Whether some event has every given field equal to the given value (pairs: field, value, ...). */
  public static boolean has(List<JsonObject> events, String... fieldValues) {
    return events.stream().anyMatch(e -> {
      for (int i = 0; i < fieldValues.length; i += 2) {
        if (!fieldValues[i + 1].equals(e.getString(fieldValues[i]))) {
          return false;
        }
      }
      return true;
    });
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    logger.setLevel(previous);
    appender.stop();
  }
}
