package io.wsgate.audit;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The audit review page ({@code audit report --html}): one self-contained HTML file (inline CSS,
 * script and SVG; a Content-Security-Policy that forbids any fetch) that embeds the
 * {@code audit summary --json} object and the {@code audit verify} outcome as JSON and draws its
 * charts and tables from them, so the page shows exactly the numbers the summary prints.
 *
 * <pre>{@code
 * String html = AuditReport.html(AuditSummary.of(files, null, null, 10).toJson(), true, List.of("OK 3 files, ..."));
 * }</pre>
 */
public final class AuditReport {
  private static final String TEMPLATE = template();

  private AuditReport() {
  }

  /**
   * @param summary      {@link AuditSummary#toJson()}
   * @param intact       whether {@code audit verify} found the chain intact
   * @param verifyOutput what {@code audit verify} printed, line by line
   */
  public static String html(JsonObject summary, boolean intact, List<String> verifyOutput) {
    JsonObject verification = new JsonObject().put("intact", intact).put("output", new JsonArray(List.copyOf(verifyOutput)));
    return TEMPLATE.replace("/*SUMMARY*/", scriptSafe(summary.encode()))
        .replace("/*VERIFY*/", scriptSafe(verification.encode()));
  }

  /**
   * JSON that cannot end its {@code <script>} element or open a comment there, whatever the values
   * (subjects, origins and IPs are chosen by clients): {@code <}, {@code >} and {@code &} are only
   * ever inside JSON strings, where their {@code \\u} escapes mean the same.
   */
  static String scriptSafe(String json) {
    return json.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029");
  }

  private static String template() {
    try (InputStream in = AuditReport.class.getResourceAsStream("report.html")) {
      if (in == null) {
        throw new IllegalStateException("io/wsgate/audit/report.html is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
