package io.wsgate.audit;

import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Mac;

/**
 * Checks the hash chain across audit files given in chain order, with a key each record's HMAC,
 * and with checkpoints that every checkpointed line is there as it was sealed and that the trail
 * does not end before the last checkpoint; stops at the first broken line (docs/audit.md,
 * "audit verify").
 *
 * <pre>{@code
 * AuditVerifier.Result r = AuditVerifier.verify(AuditFileName.collect(List.of(dir)), null);
 * if (!r.intact()) System.err.println(r.problem()); // audit-2026-11-25.jsonl:1042: hash mismatch
 * }</pre>
 */
public final class AuditVerifier {
  /**
   * What a verification found.
   *
   * @param problem  the first broken line as {@code file:line: message} (or {@code file: message}); null when intact
   * @param notes    remarks that do not break the chain (the first file continues one that was not given)
   * @param files    files read
   * @param records  lines that passed, headers included
   * @param firstSeq the first record's {@code seq}; -1 when there was none
   * @param lastSeq  the last good record's {@code seq}; -1 when there was none
   * @param sealed   checkpoints that sealed a line of the files given, each found as sealed
   * @param lastSeal the last checkpoint, described ({@code checkpoints-2026-11-25.jsonl:9 of <ts>, seq 180}); null
   *                 without checkpoints
   */
  public record Result(String problem, List<String> notes, int files, long records, long firstSeq, long lastSeq,
                       int sealed, String lastSeal) {
    public boolean intact() {
      return problem == null;
    }
  }

  private final Mac mac;
  private final CheckpointLog checkpoints;
  /** The checkpoints by the {@code seq} they seal. */
  private final Map<Long, List<CheckpointLog.Entry>> sealedAt = new HashMap<>();
  private final List<String> notes = new ArrayList<>();
  /** The {@code audit.retention} records read, by the first file each left. */
  private final Map<String, Retained> retained = new HashMap<>();
  private final boolean wholeTrail;
  private Retained lastRetained;
  /** The first file given, when its header continues a file that was not given. */
  private String startName;
  private long startSeq;
  private String startPrev;
  private String startNote;
  private int sealed;
  private String lastName;
  private int lastLine;
  private String prevHash;
  private long prevSeq = -1;
  private long firstSeq = -1;
  private long records;
  private int files;

  /** Where an {@code audit.retention} record says the trail starts, and where that record is. */
  private record Retained(String firstFile, long firstSeq, String firstPrev, String where) {
  }

  private AuditVerifier(Mac mac, CheckpointLog checkpoints, boolean wholeTrail) {
    this.mac = mac;
    this.wholeTrail = wholeTrail;
    this.checkpoints = checkpoints;
    if (checkpoints != null) {
      checkpoints.entries().forEach(e -> sealedAt.computeIfAbsent(e.checkpoint().seq(), s -> new ArrayList<>()).add(e));
    }
  }

  /**
   * @param files the audit files in chain order ({@link AuditFileName#collect})
   * @param mac   HMAC-SHA256 with the audit key, to check every record's {@code hmac}; null to check the chain only
   */
  public static Result verify(List<Path> files, Mac mac) {
    return verify(files, mac, null);
  }

  /**
   * As {@link #verify(List, Mac)}, and against {@code checkpoints} (already read, signatures checked):
   * each checkpointed line must be in its file at its line with its hash, and the trail must not
   * end before the last checkpoint (a cut tail, a removed newest file).
   */
  public static Result verify(List<Path> files, Mac mac, CheckpointLog checkpoints) {
    return verify(files, mac, checkpoints, false);
  }

  /**
   * As {@link #verify(List, Mac, CheckpointLog)}; with {@code wholeTrail} (the files are every file of
   * the directory, not a chosen part), a first file that continues a missing one must be where an
   * {@code audit.retention} record said the trail starts, once the chain holds such a record: files
   * removed by hand after a retention are then reported, not only noted.
   */
  public static Result verify(List<Path> files, Mac mac, CheckpointLog checkpoints, boolean wholeTrail) {
    if (checkpoints != null && checkpoints.problem() != null) {
      return new AuditVerifier(mac, null, wholeTrail).result(checkpoints.problem());
    }
    return new AuditVerifier(mac, checkpoints, wholeTrail).run(files);
  }

  private Result run(List<Path> paths) {
    String previousName = null;
    for (Path path : paths) {
      files++;
      String name = path.getFileName().toString();
      String problem;
      try {
        problem = file(path, name, previousName);
      } catch (IOException e) {
        problem = name + ": cannot read: " + e.getMessage();
      }
      if (problem != null) {
        return result(problem);
      }
      previousName = name;
    }
    if (files == 0) {
      return result("no audit files given");
    }
    String start = start();
    if (start != null) {
      return result(start);
    }
    return result(checkpoints == null ? null : tail());
  }

  /**
   * A first file that continues one not given is explained by the {@code audit.retention} record
   * that deleted what came before it, whose header must then be the one that record saw.
   */
  private String start() {
    if (startName == null) {
      return null;
    }
    Retained r = retained.get(startName);
    if (r != null) {
      if (r.firstSeq() != startSeq || !Objects.equals(r.firstPrev(), startPrev)) {
        return startName + ":1: not the header the retention record " + r.where() + " left (seq " + r.firstSeq()
            + "): the start of the trail was changed";
      }
      notes.remove(startNote);
      notes.add(startName + ": the trail starts here; the files before it were deleted by retention ("
          + r.where() + ")");
      return null;
    }
    if (wholeTrail && lastRetained != null) {
      return startName + ": the trail starts here, but the last retention record (" + lastRetained.where()
          + ") left it starting at " + AuditFormat.safe(lastRetained.firstFile()) + ": files were removed by hand";
    }
    return null;
  }

  /**
   * The trail must reach the last checkpoint: lines cut from the end, or whole files removed from
   * it, leave a checkpoint that seals a line the files no longer hold.
   */
  private String tail() {
    CheckpointLog.Entry last = checkpoints.last();
    if (last == null || last.checkpoint().seq() <= prevSeq) {
      if (last != null && last.checkpoint().seq() < prevSeq) {
        notes.add((prevSeq - last.checkpoint().seq()) + " records after the last checkpoint (" + last.describe()
            + ", seq " + last.checkpoint().seq() + ") are checked by the chain alone");
      }
      return null;
    }
    Checkpoint c = last.checkpoint();
    return AuditFormat.safe(c.file()) + ":" + c.line() + ": missing: the trail ends at seq " + prevSeq
        + (lastName == null ? "" : " (" + lastName + ":" + lastLine + ")") + ", but the checkpoint "
        + last.describe() + " seals seq " + c.seq() + " here";
  }

  /** The line at {@code name:n} with {@code seq} and {@code hash}, against the checkpoints that seal that seq. */
  private String sealedLine(String name, int n, long seq, String hash) {
    List<CheckpointLog.Entry> seals = sealedAt.get(seq);
    if (seals == null) {
      return null;
    }
    for (CheckpointLog.Entry seal : seals) {
      Checkpoint c = seal.checkpoint();
      if (!c.file().equals(name) || c.line() != n) {
        return name + ":" + n + ": seq " + seq + " is not where the checkpoint " + seal.describe() + " seals it ("
            + AuditFormat.safe(c.file()) + ":" + c.line() + ")";
      }
      if (!c.hash().equals(hash)) {
        return name + ":" + n + ": differs from the line the checkpoint " + seal.describe() + " sealed here"
            + " (another hash)";
      }
    }
    sealed += seals.size();
    return null;
  }

  private Result result(String problem) {
    CheckpointLog.Entry last = checkpoints == null ? null : checkpoints.last();
    return new Result(problem, List.copyOf(notes), files, records, firstSeq, prevSeq, sealed,
        last == null ? null : last.describe() + ", seq " + last.checkpoint().seq());
  }

  /** The problem with this file, or null. */
  private String file(Path path, String name, String previousName) throws IOException {
    try (AuditLines lines = new AuditLines(path)) {
      int n = 0;
      for (AuditLines.Line line = lines.next(); line != null; line = lines.next()) {
        n++;
        String where = name + ":" + n + ": ";
        if (!line.terminated()) {
          return where + "truncated line (no newline at the end of the file)";
        }
        String text = line.text();
        if (text == null) {
          return where + "not valid UTF-8";
        }
        JsonObject record;
        try {
          record = new JsonObject(text);
        } catch (RuntimeException e) {
          return where + "not a JSON object";
        }
        Object seqValue = record.getValue("seq");
        Object prevValue = record.getValue("prev");
        Object event = record.getValue("event");
        if (!(seqValue instanceof Number seqNumber) || !(prevValue instanceof String prev)
            || !(event instanceof String) || !(record.getValue("ts") instanceof String)) {
          return where + "not an audit record (needs seq, ts, event and prev)";
        }
        long seq = seqNumber.longValue();
        if (n == 1) {
          String problem = header(name, record, previousName);
          if (problem != null) {
            return problem;
          }
          if (previousName == null && record.getValue("prevFile") == null) {
            prevHash = AuditChain.GENESIS; // the start of a chain
          }
        } else if (AuditWriter.FILE_START.equals(event)) {
          return where + "unexpected " + AuditWriter.FILE_START + " inside a file";
        }
        if (mac != null) {
          if (AuditChain.hmacOf(text) == null) {
            return where + "missing hmac";
          }
          if (!AuditChain.hmacValid(text, mac)) {
            return where + "hmac mismatch";
          }
        }
        if (prevHash != null && !prevHash.equals(prev)) {
          return where + "hash mismatch";
        }
        if (prevHash == null && !AuditChain.isHash(prev)) {
          return where + "not an audit record (prev is not a SHA-256)";
        }
        if (prevSeq >= 0 && seq != prevSeq + 1) {
          return where + "sequence gap (expected seq " + (prevSeq + 1) + ", got " + seq + ")";
        }
        if (n == 1 && previousName == null && record.getValue("prevFile") != null) {
          startName = name;
          startSeq = seq;
          startPrev = prev;
          startNote = notes.isEmpty() ? null : notes.get(notes.size() - 1);
        }
        if (AuditRetention.EVENT.equals(event) && record.getValue("firstFile") instanceof String first) {
          lastRetained = new Retained(first, record.getValue("firstSeq") instanceof Number fs ? fs.longValue() : -1,
              record.getValue("firstPrev") instanceof String fp ? fp : null, name + ":" + n);
          retained.put(first, lastRetained);
        }
        String hash = AuditChain.hash(line.bytes());
        String seal = sealedLine(name, n, seq, hash);
        if (seal != null) {
          return seal;
        }
        if (firstSeq < 0) {
          firstSeq = seq;
        }
        prevSeq = seq;
        prevHash = hash;
        lastName = name;
        lastLine = n;
        records++;
      }
      if (n == 0) {
        return name + ": empty file (no " + AuditWriter.FILE_START + " header)";
      }
      return null;
    }
  }

  /** Checks the first line of a file: a header that names this file and the file given before it. */
  private String header(String name, JsonObject record, String previousName) {
    if (!AuditWriter.FILE_START.equals(record.getValue("event"))) {
      return name + ":1: expected an " + AuditWriter.FILE_START + " header, got " + record.getValue("event");
    }
    Object file = record.getValue("file");
    if (!name.equals(file)) {
      return name + ":1: the header names the file " + file + " (renamed?)";
    }
    Object prevFile = record.getValue("prevFile");
    if (previousName == null) {
      if (prevFile != null) {
        notes.add(name + ": continues " + prevFile + ", which was not given: the chain is checked from here");
      }
      return null;
    }
    if (!Objects.equals(previousName, prevFile)) {
      return name + ": previous file missing or out of order (the header follows "
          + (prevFile == null ? "no file: a new chain" : prevFile) + ", the file before it is " + previousName + ")";
    }
    return null;
  }
}
