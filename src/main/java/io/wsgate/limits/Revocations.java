package io.wsgate.limits;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Subjects whose tokens are refused until a chosen time (admin revocation), for one issuer or for
 * every issuer ({@link SubjectId#ANY_ISSUER}). A revocation is never dropped silently: the list is
 * bounded, and when it is full of unexpired entries a new one is refused (the admin API answers 507)
 * rather than evicting another. With a file, the list survives restarts: every change is written to
 * it atomically before the admin API answers, and it is read back at start.
 *
 * <pre>{@code
 * Revocations revocations = Revocations.load(auditDir.resolve("revocations.json"));
 * if (revocations.revoke(new SubjectId("corp", "alice"), until)) revocations.save(); // off the event loop
 * boolean refused = revocations.isRevoked(identity.subjectId());
 * }</pre>
 */
public final class Revocations {
  public static final int MAX_REVOKED_SUBJECTS = 100_000;
  static final int FORMAT = 1;

  private final Map<SubjectId, Instant> revoked = new ConcurrentHashMap<>();
  private final AtomicLong refused = new AtomicLong();
  private final Path file;
  private final int max;
  private final Object fileLock = new Object();
  /** The fleet store's epoch this list was last synced with (a fleet member's copy); null otherwise. */
  private volatile String epoch;

  /** In memory only, at most {@link #MAX_REVOKED_SUBJECTS}. */
  public Revocations() {
    this(null, MAX_REVOKED_SUBJECTS);
  }

  /** In memory only, at most {@code max}. */
  public Revocations(int max) {
    this(null, max);
  }

  Revocations(Path file, int max) {
    this.file = file;
    this.max = max;
  }

  /**
   * The list kept in {@code file}, with what it already holds (entries already past are left out).
   *
   * @throws IOException when the file exists but cannot be read or is not a revocation list: a
   *     gateway must not start having forgotten who was shut out
   */
  public static Revocations load(Path file) throws IOException {
    return load(file, MAX_REVOKED_SUBJECTS);
  }

  /** As {@link #load(Path)}, holding at most {@code max} unexpired revocations. */
  public static Revocations load(Path file, int max) throws IOException {
    Revocations revocations = new Revocations(file, max);
    if (!Files.exists(file)) {
      return revocations;
    }
    Instant now = Instant.now();
    try {
      JsonObject json = new JsonObject(Files.readString(file, StandardCharsets.UTF_8));
      if (!Integer.valueOf(FORMAT).equals(json.getInteger("v"))) {
        throw new IOException(file + ": not a revocation list of format " + FORMAT);
      }
      revocations.epoch = json.getString("epoch");
      for (Object entry : json.getJsonArray("revocations")) {
        JsonObject e = (JsonObject) entry;
        Instant until = Instant.parse(e.getString("until"));
        if (until.isAfter(now)) {
          revocations.revoked.put(new SubjectId(e.getString("issuer"), e.getString("subject")), until);
        }
      }
    } catch (RuntimeException e) {
      throw new IOException(file + ": not a readable revocation list (" + e.getClass().getSimpleName() + ")", e);
    }
    return revocations;
  }

  /**
   * Refuses {@code id}'s tokens until {@code until} (replacing an earlier revocation of it).
   *
   * @return false when the list is full of unexpired revocations: nothing was changed
   */
  public synchronized boolean revoke(SubjectId id, Instant until) {
    if (!revoked.containsKey(id) && revoked.size() >= max) {
      dropExpired();
      if (revoked.size() >= max) {
        refused.incrementAndGet();
        return false;
      }
    }
    revoked.put(id, until);
    return true;
  }

  /** Lifts a revocation early. @return whether there was one */
  public synchronized boolean lift(SubjectId id) {
    Instant until = revoked.remove(id);
    return until != null && until.isAfter(Instant.now());
  }

  /** Whether this subject of this issuer is revoked, by name or for every issuer. */
  public boolean isRevoked(SubjectId id) {
    Instant now = Instant.now();
    return before(now, revoked.get(id)) || before(now, revoked.get(new SubjectId(SubjectId.ANY_ISSUER, id.subject())));
  }

  /** Until when exactly this entry ({@code id} as given, not the any-issuer one) is revoked, or null. */
  public Instant revokedUntil(SubjectId id) {
    Instant until = revoked.get(id);
    return before(Instant.now(), until) ? until : null;
  }

  /** Every unexpired revocation held, by exact entry. */
  public Map<SubjectId, Instant> entries() {
    Instant now = Instant.now();
    Map<SubjectId, Instant> live = new java.util.HashMap<>();
    revoked.forEach((id, until) -> {
      if (before(now, until)) {
        live.put(id, until);
      }
    });
    return live;
  }

  /**
   * Makes the list exactly {@code entries} (a fleet member taking the fleet's list as it is), at most
   * {@link #capacity()} of them, the latest ending first kept.
   */
  public synchronized void replaceWith(Map<SubjectId, Instant> entries) {
    revoked.clear();
    entries.entrySet().stream().sorted(Map.Entry.<SubjectId, Instant>comparingByValue().reversed()).limit(max)
        .forEach(e -> revoked.put(e.getKey(), e.getValue()));
  }

  /** The fleet store's epoch this copy was last synced with, kept in the file; null outside a fleet. */
  public String epoch() {
    return epoch;
  }

  public void epoch(String value) {
    this.epoch = value;
  }

  /** Revocations held, some possibly past but not yet dropped. */
  public int size() {
    return revoked.size();
  }

  /** Revocations refused because the list was full. */
  public long refusedTotal() {
    return refused.get();
  }

  public int capacity() {
    return max;
  }

  /**
   * Writes the list to its file, replacing it atomically and forcing it to disk; nothing without a
   * file. Blocking: call it off the event loop.
   */
  public void save() throws IOException {
    if (file == null) {
      return;
    }
    // The file lock orders whole saves; the list's own lock is held only to copy it, never during I/O.
    synchronized (fileLock) {
      byte[] bytes = snapshot();
      Files.createDirectories(file.toAbsolutePath().getParent());
      Path temp = file.resolveSibling(file.getFileName() + ".tmp");
      try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        out.write(java.nio.ByteBuffer.wrap(bytes));
        out.force(true);
      }
      try {
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  private synchronized byte[] snapshot() {
    dropExpired();
    JsonArray entries = new JsonArray();
    revoked.forEach((id, until) -> entries.add(new JsonObject().put("issuer", id.issuer())
        .put("subject", id.subject()).put("until", until.toString())));
    JsonObject json = new JsonObject().put("v", FORMAT).put("revocations", entries);
    if (epoch != null) {
      json.put("epoch", epoch);
    }
    return json.encode().getBytes(StandardCharsets.UTF_8);
  }

  /** Whether changes are kept in a file. */
  public boolean durable() {
    return file != null;
  }

  private void dropExpired() {
    Instant now = Instant.now();
    revoked.values().removeIf(until -> !until.isAfter(now));
  }

  private static boolean before(Instant now, Instant until) {
    return until != null && now.isBefore(until);
  }
}
