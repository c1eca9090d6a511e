package io.wsgate.audit;

import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Map;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * How one audit line is sealed into the chain, and how a reader checks it (docs/audit.md, "The
 * chain"). A line is the compact JSON of the record with {@code seq} first and {@code prev} last:
 * {@code prev} is the lower-case hex SHA-256 of the exact UTF-8 bytes of the previous line, without
 * its {@code \n}. With a key, {@code ,"hmac":"<hex>"} is inserted before the final {@code }}: the
 * lower-case hex HMAC-SHA256 of the line as it was before the insertion.
 *
 * <pre>{@code
 * String line = AuditChain.seal(new JsonObject().put("ts", "...").put("event", "session.accepted"), 7, prev, mac);
 * String next = AuditChain.hash(line); // the next record's prev
 * }</pre>
 */
public final class AuditChain {
  /**
   * The record format's version, the {@code v} of every record: 2 added {@code v} and {@code node}
   * and the who-and-what fields; records without {@code v} are version 1 and verify the same way.
   */
  public static final int FORMAT = 2;
  /** The {@code prev} of the very first record of a chain. */
  public static final String GENESIS = "0".repeat(64);
  private static final String HMAC_PREFIX = ",\"hmac\":\"";
  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern HMAC_SUFFIX = Pattern.compile(",\"hmac\":\"([0-9a-f]{64})\"}$");
  private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
      .withZone(ZoneOffset.UTC);
  private static final HexFormat HEX = HexFormat.of();

  private AuditChain() {
  }

  /**
   * A new record's leading fields, in the order every record has them (after {@code seq}, which
   * sealing adds): {@code v}, {@code ts}, {@code node}, {@code event}. The event's own fields follow.
   */
  public static JsonObject record(String node, Instant at, String event) {
    return new JsonObject().put("v", FORMAT).put("ts", timestamp(at)).put("node", node).put("event", event);
  }

  /** RFC 3339, UTC, always with milliseconds: {@code 2026-11-25T09:14:03.120Z}. */
  public static String timestamp(Instant instant) {
    return TS.format(instant);
  }

  /**
   * The line for {@code record} (whose own fields keep their order) at {@code seq} after a line
   * hashing to {@code prev}.
   *
   * @param mac null for an unsigned line; otherwise an initialised HMAC-SHA256, used and reset here
   */
  public static String seal(JsonObject record, long seq, String prev, Mac mac) {
    JsonObject out = new JsonObject().put("seq", seq);
    for (Map.Entry<String, Object> field : record) {
      if (!field.getKey().equals("seq") && !field.getKey().equals("prev") && !field.getKey().equals("hmac")) {
        out.put(field.getKey(), field.getValue());
      }
    }
    String unsigned = out.put("prev", prev).encode();
    if (mac == null) {
      return unsigned;
    }
    String hmac = HEX.formatHex(mac.doFinal(unsigned.getBytes(StandardCharsets.UTF_8)));
    return unsigned.substring(0, unsigned.length() - 1) + HMAC_PREFIX + hmac + "\"}";
  }

  /** Lower-case hex SHA-256 of the line's UTF-8 bytes (the line without its newline). */
  public static String hash(String line) {
    return hash(line.getBytes(StandardCharsets.UTF_8));
  }

  public static String hash(byte[] lineBytes) {
    return HEX.formatHex(sha256().digest(lineBytes));
  }

  /** True when {@code text} is 64 lower-case hex digits. */
  static boolean isHash(String text) {
    return text != null && HEX64.matcher(text).matches();
  }

  /** The {@code hmac} a line carries at its end, or null when it carries none. */
  static String hmacOf(String line) {
    var m = HMAC_SUFFIX.matcher(line);
    return m.find() ? m.group(1) : null;
  }

  /** True when the line ends with an HMAC that {@code mac} computes over the line without it. */
  static boolean hmacValid(String line, Mac mac) {
    var m = HMAC_SUFFIX.matcher(line);
    if (!m.find()) {
      return false;
    }
    String signed = line.substring(0, m.start()) + "}";
    byte[] expected = mac.doFinal(signed.getBytes(StandardCharsets.UTF_8));
    return MessageDigest.isEqual(expected, HEX.parseHex(m.group(1)));
  }

  /** An HMAC-SHA256 keyed with {@code key}; the caller may zero {@code key} afterwards. */
  public static Mac mac(byte[] key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac;
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is required of every JVM", e);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
