package io.wsgate.testing;

import io.vertx.core.json.JsonObject;
import io.wsgate.audit.AuditFileName;
import io.wsgate.audit.AuditVerifier;

import javax.crypto.Mac;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a gateway's audit trail must show: the hash chain intact (as {@code wsgate audit verify}
 * checks it), and exactly one {@code session.closed} for each {@code session.accepted}, matched by
 * {@code requestId}, with no {@code session.closed} for a session never accepted.
 */
public final class AuditTrailInvariants {
  private static final int SHOWN = 5;

  private AuditTrailInvariants() {
  }

  /**
   * @param dir the audit directory
   * @param mac the audit HMAC key, to check every record's {@code hmac} as well; null when unsigned
   */
  public static List<String> violations(Path dir, Mac mac) {
    List<Path> files;
    try {
      files = Files.isDirectory(dir) ? AuditFileName.collect(List.of(dir)) : List.of();
    } catch (IOException e) {
      return List.of("audit files in " + dir + " cannot be listed: " + e);
    }
    if (files.isEmpty()) {
      return List.of("no audit file in " + dir);
    }
    List<String> out = new ArrayList<>();
    AuditVerifier.Result chain = AuditVerifier.verify(files, mac);
    if (!chain.intact()) {
      out.add("audit verify: " + chain.problem());
    }
    try {
      out.addAll(unbalanced(records(files)));
    } catch (IOException e) {
      out.add("audit files in " + dir + " cannot be read: " + e);
    }
    return out;
  }

  /** The complete lines of the files, in order; a line still being written is left out. */
  static List<JsonObject> records(List<Path> files) throws IOException {
    List<JsonObject> out = new ArrayList<>();
    for (Path file : files) {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      int end = text.lastIndexOf('\n');
      if (end < 0) {
        continue;
      }
      for (String line : text.substring(0, end).split("\n")) {
        out.add(new JsonObject(line));
      }
    }
    return out;
  }

  /** Sessions accepted and never closed, closed twice, or closed without being accepted. */
  static List<String> unbalanced(List<JsonObject> records) {
    Map<String, Integer> accepted = new LinkedHashMap<>();
    Map<String, Integer> closed = new LinkedHashMap<>();
    for (JsonObject record : records) {
      String event = record.getString("event");
      if ("session.accepted".equals(event)) {
        accepted.merge(record.getString("requestId"), 1, Integer::sum);
      } else if ("session.closed".equals(event)) {
        closed.merge(record.getString("requestId"), 1, Integer::sum);
      }
    }
    List<String> neverClosed = new ArrayList<>();
    List<String> closedTwice = new ArrayList<>();
    List<String> acceptedTwice = new ArrayList<>();
    accepted.forEach((id, n) -> {
      if (n > 1) {
        acceptedTwice.add(id);
      }
      int closes = closed.getOrDefault(id, 0);
      if (closes == 0) {
        neverClosed.add(id);
      } else if (closes > 1) {
        closedTwice.add(id);
      }
    });
    List<String> neverAccepted = closed.keySet().stream().filter(id -> !accepted.containsKey(id)).toList();
    List<String> out = new ArrayList<>();
    describe(out, neverClosed, "session.accepted with no session.closed");
    describe(out, closedTwice, "more than one session.closed for one session");
    describe(out, acceptedTwice, "more than one session.accepted for one requestId");
    describe(out, neverAccepted, "session.closed with no session.accepted");
    return out;
  }

  private static void describe(List<String> out, List<String> ids, String what) {
    if (!ids.isEmpty()) {
      out.add(ids.size() + " " + what + " (requestId " + String.join(", ", ids.subList(0, Math.min(SHOWN, ids.size())))
          + (ids.size() > SHOWN ? ", ..." : "") + ")");
    }
  }
}
