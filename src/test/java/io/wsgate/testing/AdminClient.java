package io.wsgate.testing;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real HTTP client for a gateway's admin listener on 127.0.0.1 (the JDK's), one blocking
 * request at a time; a request with its own {@code Host} header goes over a raw socket, since the
 * JDK client will not send one.
 */
public final class AdminClient {
  private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\]|\\\\.)*\"");
  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\\{[^}]*\\})?) (\\S+)$");
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();
  private final int port;

  public AdminClient(int port) {
    this.port = port;
  }

  /** What came back: status, headers and the whole body. */
  public record Response(int status, MultiMap headers, String body) {
    public JsonObject json() {
      return new JsonObject(body);
    }
  }

  public Response get(String uri, String... headers) {
    return send(HttpMethod.GET, uri, null, headers);
  }

  /**
   * @param headers name, value pairs; {@code host} sets the Host header (the connection still goes to 127.0.0.1)
   */
  public Response send(HttpMethod method, String uri, String body, String... headers) {
    for (int i = 0; i < headers.length; i += 2) {
      if (headers[i].equalsIgnoreCase("host")) {
        return raw(method, uri, body, headers);
      }
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + uri))
        .timeout(TIMEOUT)
        .method(method.name(), body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    try {
      HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      MultiMap out = MultiMap.caseInsensitiveMultiMap();
      response.headers().map().forEach(out::add);
      return new Response(response.statusCode(), out, response.body());
    } catch (IOException e) {
      throw new AssertionError(method + " " + uri + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private Response raw(HttpMethod method, String uri, String body, String... headers) {
    StringBuilder head = new StringBuilder(method.name()).append(' ').append(uri).append(" HTTP/1.1\r\n");
    for (int i = 0; i < headers.length; i += 2) {
      head.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
    }
    byte[] payload = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    head.append("content-length: ").append(payload.length).append("\r\nconnection: close\r\n\r\n");
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout((int) TIMEOUT.toMillis());
      OutputStream out = socket.getOutputStream();
      out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.write(payload);
      out.flush();
      InputStream in = socket.getInputStream();
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      int split = text.indexOf("\r\n\r\n");
      String[] lines = text.substring(0, split).split("\r\n");
      MultiMap out2 = MultiMap.caseInsensitiveMultiMap();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        out2.add(lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim());
      }
      return new Response(Integer.parseInt(lines[0].split(" ")[1]), out2, text.substring(split + 4));
    } catch (IOException e) {
      throw new AssertionError(method + " " + uri + ": " + e, e);
    }
  }

  /** {@code name{labels}} → value for every sample line of a Prometheus text scrape. */
  public static Map<String, Double> samples(String text) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      if (!m.matches()) {
        throw new AssertionError("not a Prometheus sample line: " + line);
      }
      out.put(m.group(1), Double.parseDouble(m.group(2)));
    }
    return out;
  }

  /** The scrape's samples; a series that is not there reads as 0. */
  public Metrics metrics() {
    Response r = get("/metrics");
    if (r.status() != 200) {
      throw new AssertionError("GET /metrics: " + r.status() + " " + r.body());
    }
    return new Metrics(r.body(), samples(r.body()));
  }

  public record Metrics(String text, Map<String, Double> samples) {
    public double value(String series) {
      return samples.getOrDefault(series, 0.0);
    }

    /**
     * The sum of every series a selector matches: {@code name} or {@code name{a="x",b="y"}} matches
     * the series of that name whose labels include each one given (others may differ), as
     * {@code sum(name{a="x"})} in PromQL. 0 when none matches.
     */
    public double sum(String selector) {
      return matching(selector).stream().mapToDouble(samples::get).sum();
    }

    /** Whether the selector matches at least one series. */
    public boolean has(String selector) {
      return !matching(selector).isEmpty();
    }

    private java.util.List<String> matching(String selector) {
      int brace = selector.indexOf('{');
      String name = brace < 0 ? selector : selector.substring(0, brace);
      java.util.List<String> wanted = brace < 0 ? java.util.List.of()
          : labels(selector.substring(brace + 1, selector.length() - 1));
      java.util.List<String> out = new java.util.ArrayList<>();
      for (String series : samples.keySet()) {
        int b = series.indexOf('{');
        String n = b < 0 ? series : series.substring(0, b);
        if (n.equals(name) && (b < 0 ? wanted.isEmpty()
            : labels(series.substring(b + 1, series.length() - 1)).containsAll(wanted))) {
          out.add(series);
        }
      }
      return out;
    }

    /** {@code a="x",b="y, z"} → [{@code a="x"}, {@code b="y, z"}] (commas inside quotes kept). */
    private static java.util.List<String> labels(String inner) {
      java.util.List<String> out = new java.util.ArrayList<>();
      Matcher m = LABEL.matcher(inner);
      while (m.find()) {
        out.add(m.group());
      }
      return out;
    }
  }
}
