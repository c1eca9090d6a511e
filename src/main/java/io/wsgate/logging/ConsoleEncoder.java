package io.wsgate.logging;

import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;
import net.logstash.logback.encoder.LogstashEncoder;

import java.util.Locale;

/**
 * The console's encoder, chosen at start by {@code WSGATE_LOG_FORMAT} (environment) or
 * {@code -Dwsgate.log.format}: {@code json} writes one JSON object per line (logstash-logback-encoder:
 * {@code @timestamp}, {@code level}, {@code logger_name}, {@code thread_name}, {@code message}, the
 * MDC's {@code requestId} on lines about one request or session, {@code stack_trace}); {@code text}
 * (the default) the readable pattern. Any other value is refused loudly rather than logging nothing.
 */
public final class ConsoleEncoder extends EncoderBase<ILoggingEvent> {
  public static final String ENVIRONMENT = "WSGATE_LOG_FORMAT";
  public static final String PROPERTY = "wsgate.log.format";
  private static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSX,UTC} %-5level [%thread] %logger{20} - %msg%n";

  private Encoder<ILoggingEvent> delegate;

  @Override
  public void start() {
    String format = System.getProperty(PROPERTY, System.getenv().getOrDefault(ENVIRONMENT, "text"));
    boolean json = switch (format.trim().toLowerCase(Locale.ROOT)) {
      case "json" -> true;
      case "text", "" -> false;
      default -> {
        addError(ENVIRONMENT + "=" + format + ": expected json or text; logging as text");
        yield false;
      }
    };
    if (json) {
      LogstashEncoder encoder = new LogstashEncoder();
      encoder.setContext(getContext());
      delegate = encoder;
    } else {
      PatternLayoutEncoder encoder = new PatternLayoutEncoder();
      encoder.setContext(getContext());
      encoder.setPattern(PATTERN);
      delegate = encoder;
    }
    delegate.start();
    super.start();
  }

  @Override
  public void stop() {
    if (delegate != null) {
      delegate.stop();
    }
    super.stop();
  }

  @Override
  public byte[] headerBytes() {
    return delegate.headerBytes();
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    return delegate.encode(event);
  }

  @Override
  public byte[] footerBytes() {
    return delegate.footerBytes();
  }
}
