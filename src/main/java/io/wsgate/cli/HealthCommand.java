package io.wsgate.cli;

import io.wsgate.policy.ProbeSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/**
 * {@code wsgate health}: one GET to a probes URL, for a container {@code HEALTHCHECK} where there is
 * no curl (the jlink image has only this jar and its runtime). Exit 0 on a 2xx answer, 1 otherwise.
 */
@Command(name = "health", mixinStandardHelpOptions = true,
    description = "GET a probes URL (the probes listener's /health or /ready) and exit 0 on a 2xx answer.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:answered 2xx", "1:another status, or no answer within the timeout", "2:usage error"})
final class HealthCommand implements Callable<Integer> {
  static final String DEFAULT_URL = "http://" + ProbeSettings.DEFAULT_HOST + ":" + ProbeSettings.DEFAULT_PORT + "/health";
  private static final int MAX_BODY_BYTES = 4096;

  @Option(names = "--url", paramLabel = "URL", defaultValue = DEFAULT_URL,
      description = "An http:// URL (default: ${DEFAULT-VALUE}, the probes listener's defaults).")
  String url;

  @Option(names = "--timeout-ms", paramLabel = "MS", defaultValue = "3000",
      description = "Connect and read timeout in milliseconds (default: ${DEFAULT-VALUE}).")
  int timeoutMs;

  @Override
  public Integer call() {
    URL target;
    try {
      URI uri = URI.create(url);
      if (!"http".equals(uri.getScheme()) || uri.getHost() == null) {
        System.err.println("wsgate health: --url must be an http:// URL with a host, got " + url);
        return 2;
      }
      target = uri.toURL();
    } catch (IllegalArgumentException | IOException e) {
      System.err.println("wsgate health: --url is not a URL: " + url);
      return 2;
    }
    if (timeoutMs <= 0) {
      System.err.println("wsgate health: --timeout-ms must be > 0, got " + timeoutMs);
      return 2;
    }
    HttpURLConnection connection = null;
    try {
      connection = (HttpURLConnection) target.openConnection();
      connection.setConnectTimeout(timeoutMs);
      connection.setReadTimeout(timeoutMs);
      connection.setInstanceFollowRedirects(false);
      int status = connection.getResponseCode();
      String body = body(status < 400 ? connection.getInputStream() : connection.getErrorStream());
      boolean ok = status >= 200 && status < 300;
      (ok ? System.out : System.err).println(url + ": " + status + (body.isEmpty() ? "" : " " + body));
      return ok ? 0 : 1;
    } catch (IOException e) {
      System.err.println("wsgate health: " + url + ": no answer: " + e);
      return 1;
    } finally {
      if (connection != null) {
        connection.disconnect();
      }
    }
  }

  private static String body(InputStream in) throws IOException {
    if (in == null) {
      return "";
    }
    try (in) {
      return new String(in.readNBytes(MAX_BODY_BYTES), StandardCharsets.UTF_8).strip();
    }
  }
}
