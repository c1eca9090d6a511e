package io.wsgate.audit;

import io.vertx.core.json.JsonObject;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the audit chain ended at one moment: the last line forced to disk, named by file, line
 * number, {@code seq} and hash (docs/audit.md, "Checkpoints"). One compact JSON line, signed like
 * a record's {@code hmac}: {@code ,"sig":"<hex>"} is inserted before the final {@code }}, over the
 * line as it was before.
 *
 * <pre>{@code
 * {"v":1,"ts":"2026-11-25T10:01:00.000Z","node":"gw-1","event":"audit.checkpoint","file":"audit-2026-11-25.jsonl",
 *  "line":57,"seq":123,"hash":"9f86...","reason":"interval","alg":"Ed25519","sig":"5b1f..."}
 * }</pre>
 *
 * @param ts     when it was written (RFC 3339, milliseconds, UTC)
 * @param node   the node whose trail it seals
 * @param file   the audit file holding that line
 * @param line   the line's number in that file, from 1
 * @param seq    the line's {@code seq}
 * @param hash   lower-case hex SHA-256 of the line, as the next line's {@code prev} would be
 * @param reason {@code interval}, {@code rotate} (the file's last line, before the next file) or {@code stop}
 * @param alg    {@code Ed25519}, {@code HS256} (the audit HMAC key) or {@code none}
 */
record Checkpoint(String ts, String node, String file, long line, long seq, String hash, String reason, String alg) {
  static final int FORMAT = 1;
  static final String EVENT = "audit.checkpoint";
  static final String NONE = "none";
  static final String HS256 = "HS256";
  private static final Pattern SIG = Pattern.compile(",\"sig\":\"([0-9a-f]{1,256})\"}$");

  /** The line without {@code sig}: what is signed. */
  String unsignedLine() {
    return new JsonObject().put("v", FORMAT).put("ts", ts).put("node", node).put("event", EVENT).put("file", file)
        .put("line", line).put("seq", seq).put("hash", hash).put("reason", reason).put("alg", alg).encode();
  }

  /** The signed line: {@code sig} (lower-case hex) inserted before the final brace; null: unsigned. */
  static String withSignature(String unsigned, String sigHex) {
    return sigHex == null ? unsigned : unsigned.substring(0, unsigned.length() - 1) + ",\"sig\":\"" + sigHex + "\"}";
  }

  /** A parsed line, its signature and the bytes that signature covers. */
  record Signed(Checkpoint checkpoint, String sigHex, String signedText) {
  }

  /**
   * @return the checkpoint in {@code text}
   * @throws IllegalArgumentException naming what is wrong when the line is not a checkpoint
   */
  static Signed parse(String text) {
    JsonObject json;
    try {
      json = new JsonObject(text);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a JSON object");
    }
    if (!EVENT.equals(json.getValue("event")) || !(json.getValue("file") instanceof String file)
        || AuditFileName.parse(file) == null || !(json.getValue("line") instanceof Number line)
        || !(json.getValue("seq") instanceof Number seq) || !(json.getValue("hash") instanceof String hash)
        || !AuditChain.isHash(hash) || !(json.getValue("alg") instanceof String alg)
        || !(json.getValue("ts") instanceof String ts)) {
      throw new IllegalArgumentException("not a checkpoint (needs event " + EVENT
          + ", ts, file, line, seq, hash and alg)");
    }
    Matcher sig = SIG.matcher(text);
    String sigHex = sig.find() ? sig.group(1) : null;
    String signed = sigHex == null ? text : text.substring(0, sig.start()) + "}";
    Checkpoint checkpoint = new Checkpoint(ts, json.getValue("node") instanceof String n ? n : null, file,
        line.longValue(), seq.longValue(), hash, json.getValue("reason") instanceof String r ? r : null, alg);
    return new Signed(checkpoint, sigHex, signed);
  }
}
