package io.wsgate.audit;

import io.wsgate.metrics.GatewayMetrics;
import io.vertx.core.json.JsonObject;
import io.wsgate.policy.AuditSettings;
import io.wsgate.policy.Ed25519Keys;
import io.wsgate.policy.HmacSecrets;
import io.wsgate.policy.RetentionSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;

/**
 * The chained audit writer: callers only enqueue ({@link #write}, never blocks); one thread seals
 * each record into the hash chain ({@link AuditChain}), appends it to the current
 * {@code audit-YYYY-MM-DD[.N].jsonl} file, rotates by size and by UTC day, and forces the file to
 * disk every flush interval. Without a directory it writes the sealed lines to the
 * {@code wsgate.audit} logger instead.
 *
 * <p>Failure handling: a full queue drops the record (counted in {@link GatewayMetrics#auditDrops()})
 * and makes the writer unhealthy until a flush interval passes without a drop. A failed write,
 * force, or open (disk full, directory gone, current file removed or replaced) makes it unhealthy;
 * the records not yet forced are kept, the queue is left to fill, and every retry interval the
 * writer starts a new file (continuing the chain from the last complete line on disk) and writes
 * the kept records into it. Healthy again once that succeeds.
 *
 * <pre>{@code
 * AuditWriter writer = AuditWriter.start(settings, "gw-1", metrics, Clock.systemUTC());
 * writer.write(AuditChain.record("gw-1", now, "session.accepted").put("requestId", id));
 * writer.close().join(); // drains the queue, forces the file
 * }</pre>
 */
final class AuditWriter {
  static final String FILE_START = "audit.file_start";
  private static final Logger RECORDS = LoggerFactory.getLogger("wsgate.audit");
  private static final Logger LOG = LoggerFactory.getLogger(AuditWriter.class);
  /** Written without waiting for the flush interval once this many bytes are buffered. */
  private static final int WRITE_CHUNK = 64 << 10;
  private static final int BATCH = 4096;
  /** Wakes the writer thread for {@link #close()}; never written. */
  private static final JsonObject WAKE = new JsonObject();

  private final AuditSettings settings;
  private final String node;
  private final Clock clock;
  private final GatewayMetrics metrics;
  private final Mac mac;
  /** Null without files. */
  private final CheckpointWriter checkpoints;
  /** Null without {@code audit.syslog}. */
  private final SyslogSink syslog;
  private final long checkpointNanos;
  private final BlockingQueue<JsonObject> queue;
  private final long flushNanos;
  private final long retryMs;
  private final Thread thread;
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private final AtomicLong overflows = new AtomicLong();
  private volatile boolean healthy = true;
  private volatile boolean closing;
  private volatile boolean done;

  // Confined to the writer thread (and to start(), before the thread starts).
  private long seq;
  private String lastHash = AuditChain.GENESIS;
  private long confirmedSeq;
  private String confirmedHash = AuditChain.GENESIS;
  private AuditFileName confirmedFile;
  /** The confirmed line's number in {@link #confirmedFile}. */
  private long confirmedLine;
  private long checkpointedSeq = -1;
  /** Volatile for {@link #currentFile()}; null while no file is open. */
  private volatile AuditFileName current;
  private FileChannel channel;
  private Object fileKey;
  private long fileBytes;
  private int fileLines;
  private final Bytes buffer = new Bytes();
  private final List<JsonObject> unconfirmed = new ArrayList<>();
  /** Syslog copies of the buffered lines, sent once those are forced to disk: the copy never runs ahead of the files. */
  private final List<io.vertx.core.buffer.Buffer> unsent = new ArrayList<>();
  private List<JsonObject> retry = new ArrayList<>();
  private boolean failed;
  private long overflowsSeen;
  /** The UTC day retention last looked at the files; null before the first look. */
  private LocalDate retainedDay;
  /** Set while a retention record is written: the rotation it may cause must not plan a second one. */
  private boolean retaining;

  private AuditWriter(AuditSettings settings, String node, GatewayMetrics metrics, Clock clock, Mac mac,
                      CheckpointWriter checkpoints, SyslogSink syslog) {
    this.syslog = syslog;
    this.settings = settings;
    this.node = node;
    this.metrics = metrics;
    this.clock = clock;
    this.mac = mac;
    this.checkpoints = checkpoints;
    this.checkpointNanos = settings.checkpoints().interval().toNanos();
    this.queue = new ArrayBlockingQueue<>(settings.queueSize());
    this.flushNanos = settings.flushInterval().toNanos();
    this.retryMs = Math.max(50, Math.min(1000, settings.flushInterval().toMillis()));
    this.thread = new Thread(this::run, "wsgate-audit-writer");
    this.thread.setDaemon(true);
  }

  /**
   * Reads the HMAC key and the checkpoint key (if any), opens the first file on the calling thread
   * (so a directory that cannot be written makes the writer unhealthy before the first handshake),
   * and starts the writer thread.
   *
   * @throws IllegalStateException when a key cannot be read (the message never holds the key)
   */
  static AuditWriter start(AuditSettings settings, String node, GatewayMetrics metrics, Clock clock) {
    Mac mac = null;
    CheckpointSigner signer = CheckpointSigner.NONE;
    if (settings.signed()) {
      byte[] key = HmacSecrets.read(settings.hmacKeySource());
      try {
        if (key.length < AuditSettings.MIN_HMAC_KEY_BYTES) {
          throw new IllegalStateException("the audit HMAC key is " + key.length + " bytes, too short: HMAC-SHA256"
              + " needs at least " + AuditSettings.MIN_HMAC_KEY_BYTES + " bytes");
        }
        mac = AuditChain.mac(key);
        signer = CheckpointSigner.hmac(AuditChain.mac(key));
      } finally {
        Arrays.fill(key, (byte) 0);
      }
    }
    if (settings.checkpoints().keyFile() != null) {
      signer = CheckpointSigner.ed25519(Ed25519Keys.readPrivate(settings.checkpoints().keyFile()));
    }
    CheckpointWriter checkpoints = settings.files() ? new CheckpointWriter(settings.checkpointDir(), node, signer,
        settings.checkpoints().log(), clock) : null;
    SyslogSink syslog = settings.syslog() == null ? null : new SyslogSink(settings.syslog(), metrics);
    AuditWriter writer = new AuditWriter(settings, node, metrics, clock, mac, checkpoints, syslog);
    if (settings.files()) {
      try {
        writer.open("start", writer.today());
      } catch (IOException e) {
        writer.fail(e, List.of());
      }
    }
    writer.thread.start();
    return writer;
  }

  /** Enqueues one record (its fields in order, from {@link AuditChain#record}); never blocks. */
  void write(JsonObject record) {
    if (done || !queue.offer(record)) {
      overflows.incrementAndGet();
      metrics.auditDropped(1);
      healthy = false;
    }
  }

  /** Starts sending the syslog copies on one of {@code vertx}'s event loops; nothing without {@code audit.syslog}. */
  void startSyslog(io.vertx.core.Vertx vertx) {
    if (syslog != null) {
      syslog.start(vertx);
    }
  }

  /** Records enqueued and not yet taken by the writer thread. */
  int queueDepth() {
    return queue.size();
  }

  int queueCapacity() {
    return settings.queueSize();
  }

  /** False while records are being lost: the queue overflowed within the last flush interval, or writes fail. */
  boolean healthy() {
    return healthy;
  }

  /** The file being written, or null (no directory, or not open because of a failure). */
  Path currentFile() {
    AuditFileName name = current;
    return settings.files() && name != null ? settings.dir().resolve(name.toString()) : null;
  }

  /** Writes everything enqueued so far, forces it to disk and stops the thread; idempotent. */
  CompletableFuture<Void> close() {
    closing = true;
    queue.offer(WAKE); // when full, the thread is busy draining and sees closing anyway
    return closed;
  }

  private void run() {
    long nextFlush = System.nanoTime() + flushNanos;
    long nextCheckpoint = System.nanoTime() + checkpointNanos;
    try {
      if (!failed) {
        retainQuietly();
      }
      while (true) {
        if (failed) {
          if (!closing) {
            Thread.sleep(retryMs);
          }
          recover();
          if (failed && closing) {
            giveUp();
            return;
          }
          nextFlush = System.nanoTime() + flushNanos;
          continue;
        }
        long wait = nextFlush - System.nanoTime();
        JsonObject record = wait > 0 && !closing ? queue.poll(wait, TimeUnit.NANOSECONDS) : queue.poll();
        for (int n = 0; record != null && !failed; n++) {
          if (record != WAKE) {
            process(record);
          }
          if (n >= BATCH) {
            break;
          }
          record = queue.poll();
        }
        if (failed) {
          continue;
        }
        boolean last = closing && queue.isEmpty();
        if (last || System.nanoTime() - nextFlush >= 0) {
          tick();
          nextFlush = System.nanoTime() + flushNanos;
        }
        if (!failed && System.nanoTime() - nextCheckpoint >= 0) {
          checkpoint(CheckpointReason.INTERVAL);
          nextCheckpoint = System.nanoTime() + checkpointNanos;
        }
        if (last && !failed) {
          checkpoint(CheckpointReason.STOP);
          closeChannel();
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      giveUp();
    } catch (RuntimeException | Error e) {
      LOG.error("audit writer stopped unexpectedly", e);
      healthy = false;
      giveUp();
    } finally {
      done = true;
      if (syslog != null) {
        syslog.close();
      }
      closed.complete(null);
    }
  }

  private void process(JsonObject record) {
    try {
      append(record);
      if (buffer.size() >= WRITE_CHUNK) {
        writeOut();
      }
      if (unconfirmed.size() >= settings.queueSize()) {
        flush(); // keeps what a failure would have to retry within the queue's bound
      }
    } catch (IOException e) {
      boolean appended = !unconfirmed.isEmpty() && unconfirmed.get(unconfirmed.size() - 1) == record;
      fail(e, appended ? List.of() : List.of(record));
    } catch (RuntimeException e) {
      // A field that cannot be encoded: lose this record only, never the writer.
      LOG.error("audit: a {} record could not be encoded and is lost", record.getValue("event"), e);
      metrics.auditDropped(1);
    }
  }

  /** Every flush interval: force the file to disk, report drops, update health. */
  private void tick() {
    try {
      if (settings.files()) {
        flush();
        if (!today().equals(retainedDay)) {
          retain(); // an idle trail ages too
        }
      } else {
        updateHealth();
      }
    } catch (IOException e) {
      fail(e, List.of());
    }
  }

  /** Seals the record into the chain and buffers it; rotates first when the day or the size says so. */
  private void append(JsonObject record) throws IOException {
    if (!settings.files()) {
      String line = AuditChain.seal(record, seq + 1, lastHash, mac);
      seq++;
      lastHash = AuditChain.hash(line);
      RECORDS.info(line);
      if (syslog != null) {
        syslog.offer(syslog.frame(record, line.getBytes(StandardCharsets.UTF_8)));
      }
      return;
    }
    LocalDate day = dayOf(record);
    if (day.isAfter(current.date())) {
      rotate("day", day);
    }
    byte[] line = AuditChain.seal(record, seq + 1, lastHash, mac).getBytes(StandardCharsets.UTF_8);
    if (fileLines > 1 && fileBytes + line.length + 1 > settings.rotateBytes()) {
      rotate("size", current.date());
      line = AuditChain.seal(record, seq + 1, lastHash, mac).getBytes(StandardCharsets.UTF_8);
    }
    buffer(record, line);
    unconfirmed.add(record);
  }

  private void buffer(JsonObject record, byte[] line) {
    if (syslog != null) {
      unsent.add(syslog.frame(record, line));
    }
    seq++;
    lastHash = AuditChain.hash(line);
    buffer.write(line, 0, line.length);
    buffer.write('\n');
    fileBytes += line.length + 1;
    fileLines++;
    if (settings.console()) {
      RECORDS.info(new String(line, StandardCharsets.UTF_8));
    }
  }

  private void rotate(String reason, LocalDate day) throws IOException {
    flush();
    checkpoint(CheckpointReason.ROTATE);
    open(reason, day);
    retain();
  }

  private void retainQuietly() {
    try {
      retain();
    } catch (IOException e) {
      fail(e, List.of());
    }
  }

  /**
   * Deletes the oldest files that {@code keepDays} / {@code keepBytes} say must go, after writing
   * and forcing an {@code audit.retention} record that names them and where the trail now starts.
   */
  private void retain() throws IOException {
    RetentionSettings retention = settings.retention();
    if (!settings.files() || !retention.enabled() || current == null || retaining) {
      return;
    }
    retainedDay = today();
    AuditRetention.Plan plan = AuditRetention.plan(settings.dir(), current, retainedDay, retention,
        checkpoints == null ? null : settings.checkpointDir());
    if (plan == null) {
      return;
    }
    JsonObject record = plan.fill(AuditChain.record(node, clock.instant(), AuditRetention.EVENT), retention);
    retaining = true;
    try {
      append(record);
      flush();
    } catch (IOException e) {
      unconfirmed.removeIf(r -> r == record); // the next retention after recovery plans afresh
      throw e;
    } finally {
      retaining = false;
    }
    List<String> failedDeletes = AuditRetention.delete(plan);
    LOG.info("audit retention: deleted {} files ({} bytes); the trail now starts at {}", plan.files().size(),
        plan.bytes(), plan.firstFile());
    if (!failedDeletes.isEmpty()) {
      LOG.warn("audit retention: could not delete {}", failedDeletes);
    }
  }

  /**
   * Seals the confirmed end of the chain (forced to disk) in a signed checkpoint; at an interval
   * only when the chain moved since the last one.
   */
  private void checkpoint(CheckpointReason reason) {
    if (checkpoints == null || confirmedFile == null
        || (reason == CheckpointReason.INTERVAL && confirmedSeq == checkpointedSeq)) {
      return;
    }
    if (checkpoints.write(confirmedFile, confirmedLine, confirmedSeq, confirmedHash, reason.tag())) {
      checkpointedSeq = confirmedSeq;
    }
  }

  /**
   * Starts a new file after the last one in the directory, continuing the chain from that file's
   * last complete line (or from the last forced line, when the directory has no audit file left),
   * and forces its {@code audit.file_start} header to disk.
   */
  private void open(String reason, LocalDate day) throws IOException {
    closeChannel();
    Path dir = settings.dir();
    Files.createDirectories(dir);
    List<Path> files = AuditFileName.list(dir);
    AuditFileName prevFile = confirmedFile;
    String prev = confirmedHash;
    long prevSeq = confirmedSeq;
    if (!files.isEmpty()) {
      Path latest = files.get(files.size() - 1);
      LastLine tail = LastLine.read(latest);
      prevFile = AuditFileName.parse(latest.getFileName().toString());
      if (tail.hash() != null) {
        prev = tail.hash();
        prevSeq = tail.seq() >= 0 ? tail.seq() : prevSeq;
      }
    }
    AuditFileName name = prevFile != null && !day.isAfter(prevFile.date()) ? prevFile.next()
        : new AuditFileName(day, 0);
    FileChannel opened;
    while (true) {
      try {
        opened = FileChannel.open(dir.resolve(name.toString()), StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE);
        break;
      } catch (FileAlreadyExistsException e) {
        name = name.next();
      }
    }
    channel = opened;
    current = name;
    fileKey = fileKey(dir.resolve(name.toString()));
    fileBytes = 0;
    fileLines = 0;
    seq = prevSeq;
    lastHash = prev;
    buffer.reset();
    unsent.clear();
    JsonObject header = AuditChain.record(node, clock.instant(), FILE_START)
        .put("file", name.toString())
        .put("prevFile", prevFile == null ? null : prevFile.toString())
        .put("reason", reason);
    buffer(header, AuditChain.seal(header, seq + 1, lastHash, mac).getBytes(StandardCharsets.UTF_8));
    flush();
  }

  /** Writes the buffered lines to the current file (no force). */
  private void writeOut() throws IOException {
    if (channel == null) {
      throw new IOException("no audit file is open");
    }
    checkStillThere();
    ByteBuffer bytes = buffer.view();
    while (bytes.hasRemaining()) {
      channel.write(bytes);
    }
    buffer.reset();
  }

  /** Writes and forces the buffered lines; they are then the chain's confirmed end. */
  private void flush() throws IOException {
    writeOut();
    channel.force(false);
    confirmedSeq = seq;
    confirmedHash = lastHash;
    confirmedFile = current;
    confirmedLine = fileLines;
    unconfirmed.clear();
    if (syslog != null) {
      unsent.forEach(syslog::offer);
      unsent.clear();
    }
    updateHealth();
  }

  /** A file moved away, deleted or replaced keeps accepting writes that nobody will read: treat it as a failure. */
  private void checkStillThere() throws IOException {
    Path path = settings.dir().resolve(current.toString());
    Object key;
    try {
      key = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
    } catch (IOException e) {
      throw new IOException(path + " was removed or moved away (" + e.getClass().getSimpleName() + ")");
    }
    if (fileKey != null && !fileKey.equals(key)) {
      throw new IOException(path + " was replaced by another file");
    }
  }

  private void updateHealth() {
    long total = overflows.get();
    long dropped = total - overflowsSeen;
    overflowsSeen = total;
    if (dropped > 0) {
      LOG.warn("audit queue full ({} records): {} records dropped ({} since start)", settings.queueSize(), dropped,
          total);
    }
    healthy = dropped == 0;
  }

  private void fail(IOException e, List<JsonObject> notAppended) {
    List<JsonObject> keep = new ArrayList<>(unconfirmed);
    keep.addAll(notAppended);
    unconfirmed.clear();
    unsent.clear(); // re-sealed, and copied, when they are written again
    retry = keep;
    buffer.reset();
    closeChannel();
    current = null;
    healthy = false;
    if (!failed) {
      LOG.error("audit: cannot write to {}: {}; {} ({} records kept for retry)", settings.dir(), e.getMessage(),
          settings.onFailure() == AuditSettings.OnFailure.FAIL_CLOSED
              ? "new sessions are refused (503) until it recovers" : "traffic continues (failOpen)",
          keep.size());
    } else {
      LOG.debug("audit: still cannot write to {}: {}", settings.dir(), e.getMessage());
    }
    failed = true;
  }

  private void recover() {
    List<JsonObject> todo = retry;
    retry = new ArrayList<>();
    int i = 0;
    try {
      open("recover", today());
      for (; i < todo.size(); i++) {
        append(todo.get(i));
      }
      flush();
      failed = false;
      retain();
      LOG.warn("audit: writing again, to {} ({} kept records written)", current, todo.size());
    } catch (IOException e) {
      fail(e, todo.subList(i, todo.size()));
    }
  }

  /** The stop cannot wait for ever: whatever could not be written is counted as lost. */
  private void giveUp() {
    long lost = retry.size() + unconfirmed.size() + queue.stream().filter(r -> r != WAKE).count();
    retry = new ArrayList<>();
    unconfirmed.clear();
    queue.clear();
    closeChannel();
    if (lost > 0) {
      overflows.addAndGet(lost);
      metrics.auditDropped(lost);
      LOG.error("audit: {} records could not be written before the stop and are lost", lost);
    }
  }

  private void closeChannel() {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        LOG.debug("closing the audit file: {}", e.toString());
      }
      channel = null;
    }
  }

  private LocalDate today() {
    return LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
  }

  /** The UTC day of the record's {@code ts} ({@code YYYY-MM-DD...}); today when it has none. */
  private LocalDate dayOf(JsonObject record) {
    Object ts = record.getValue("ts");
    if (ts instanceof String s && s.length() >= 10) {
      try {
        return LocalDate.parse(s.substring(0, 10));
      } catch (DateTimeException e) {
        // fall through
      }
    }
    return today();
  }

  private static Object fileKey(Path path) throws IOException {
    return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
  }

  /** A byte buffer whose content can be written without a copy. */
  private static final class Bytes extends ByteArrayOutputStream {
    Bytes() {
      super(WRITE_CHUNK + 4096);
    }

    ByteBuffer view() {
      return ByteBuffer.wrap(buf, 0, count);
    }
  }
}
