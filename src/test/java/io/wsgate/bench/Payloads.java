package io.wsgate.bench;

import java.nio.charset.StandardCharsets;

/** Realistic JSON text messages of an exact size in UTF-8 bytes, for the microbenchmarks. */
final class Payloads {
  private static final String FILLER = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor "
      + "incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco "
      + "laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit "
      + "esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa "
      + "qui officia deserunt mollit anim id est laborum. ";
  private static final String FILLER_UTF8 = "Grüße aus Köln — ça va? Привет, как дела? 你好，世界。 "
      + "Zoë's naïve café façade: déjà vu, smörgåsbord, jalapeño, crème brûlée. ";

  private Payloads() {
  }

  /** {@code 64B}, {@code 1KiB}, {@code 1KiB-utf8} or {@code 1KiB-lt} (ASCII with a {@code <}). */
  static String json(String kind) {
    return switch (kind) {
      case "64B" -> exact("{\"type\":\"chat\",\"room\":\"lobby\",\"text\":\"", "\"}", FILLER, 64);
      case "1KiB" -> exact(chatPrefix(), "\"}", FILLER, 1024);
      case "1KiB-utf8" -> exact(chatPrefix(), "\"}", FILLER_UTF8, 1024);
      case "1KiB-lt" -> exact(chatPrefix() + "if a < b then b > a; ", "\"}", FILLER, 1024);
      default -> throw new IllegalArgumentException("unknown message kind " + kind);
    };
  }

  private static String chatPrefix() {
    return "{\"type\":\"chat\",\"id\":\"7f3e2a90-41c2-4d6b-9a51-0c2f8e4b7d13\",\"ts\":1764739200123,"
        + "\"room\":{\"id\":\"general\",\"members\":42,\"tags\":[\"public\",\"en\"]},"
        + "\"from\":{\"id\":\"u-1029\",\"name\":\"Ada\",\"roles\":[\"member\",\"moderator\"],\"verified\":true},"
        + "\"mentions\":[\"u-2044\",\"u-3310\"],\"attachments\":[],\"reply_to\":null,\"score\":0.875,"
        + "\"text\":\"";
  }

  /** prefix + filler (repeated, cut on a character) + suffix, exactly {@code bytes} long in UTF-8. */
  private static String exact(String prefix, String suffix, String filler, int bytes) {
    StringBuilder text = new StringBuilder(prefix);
    int room = bytes - utf8(prefix) - utf8(suffix);
    int used = 0;
    for (int i = 0; ; i = (i + 1) % filler.length()) {
      String c = filler.substring(i, i + 1);
      int size = utf8(c);
      if (used + size > room) {
        break;
      }
      text.append(c);
      used += size;
    }
    // Fill the last bytes a multi-byte character did not fit in with spaces.
    text.append(" ".repeat(room - used)).append(suffix);
    String json = text.toString();
    if (utf8(json) != bytes) {
      throw new IllegalStateException("payload is " + utf8(json) + " bytes, not " + bytes);
    }
    return json;
  }

  private static int utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }
}
