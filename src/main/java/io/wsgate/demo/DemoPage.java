package io.wsgate.demo;

import io.vertx.core.buffer.Buffer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The browser chat page, served by the gateway at {@code /} when the dev demo page is on. */
public final class DemoPage {

  public static final String RESOURCE = "/webroot/index.html";
  public static final String CONTENT_TYPE = "text/html; charset=utf-8";
  /** The page needs nothing but its own inline script and style and a WebSocket to its own origin. */
  public static final String CONTENT_SECURITY_POLICY =
      "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'";

  private DemoPage() {
  }

  /** The page bytes; a fresh copy each call, so callers may not corrupt the cached original. */
  public static Buffer load() {
    return Holder.PAGE.copy();
  }

  private static final class Holder {
    static final Buffer PAGE = read();

    private static Buffer read() {
      try (InputStream in = DemoPage.class.getResourceAsStream(RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException("missing classpath resource " + RESOURCE);
        }
        return Buffer.buffer(in.readAllBytes());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
