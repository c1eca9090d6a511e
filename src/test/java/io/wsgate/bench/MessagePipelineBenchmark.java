package io.wsgate.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.wsgate.filter.Decision;
import io.wsgate.filter.Message;
import io.wsgate.filter.MessagePipeline;
import io.wsgate.filter.SessionFilterState;
import io.wsgate.filter.SubjectBuckets;
import io.wsgate.policy.Action;
import io.wsgate.policy.MessageRule;
import io.wsgate.policy.MessageRule.Scope;
import io.wsgate.policy.Mode;
import io.wsgate.policy.Rate;
import io.wsgate.websocket.Utf8Validator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The per-message cost of the message pipeline (issue 13: at most 2 µs per 1 KiB text message, no
 * allocation per message in steady state). One "session": a pipeline built from real
 * {@link MessageRule}s (size 64 KiB, a per-connection rate, one RE2 deny pattern, JSON
 * well-formedness), its {@link SessionFilterState}, and one {@link Message} reset for each message
 * as the relay's {@code MessageRules} does. Payloads are realistic JSON text messages, either on the
 * unpooled heap buffer Vert.x hands the relay (its {@code safeBuffer} copies every frame out of the
 * pooled direct read buffer) or on a pooled direct buffer (the path without a backing array).
 *
 * <pre>mvn -B -Pjmh test-compile exec:exec -Djmh.args="MessagePipelineBenchmark -prof gc"</pre>
 */
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m"})
@State(org.openjdk.jmh.annotations.Scope.Thread)
public class MessagePipelineBenchmark {
  /** Never refuses within a run: the steady state of a session that keeps to its budget. */
  private static final Rate PLENTY = new Rate(1_000_000_000L, Duration.ofSeconds(1), 1_000_000_000L);
  /** One message per hour: after the first, every message is refused by the rate rule. */
  private static final Rate ONE_PER_HOUR = new Rate(1, Duration.ofHours(1), 1);

  /**
   * {@code 64B}, {@code 1KiB} (ASCII), {@code 1KiB-utf8} (some multi-byte characters), {@code 1KiB-lt}
   * (ASCII with a {@code <}, so the deny pattern's literal occurs and RE2/J must run).
   */
  @Param({"64B", "1KiB", "1KiB-utf8", "1KiB-lt"})
  public String message;

  /** {@code heap}: what the relay gets; {@code direct}: a pooled direct buffer (no backing array). */
  @Param({"heap", "direct"})
  public String buffer;

  private MessagePipeline pipeline;
  private MessagePipeline refusing;
  private MessagePipeline sizeAndRate;
  private MessagePipeline patternOnly;
  private MessagePipeline jsonOnly;
  private SessionFilterState state;
  private SessionFilterState refusingState;
  private SessionFilterState patternState;
  private SessionFilterState jsonState;
  private final Message reused = Message.binary(Buffer.buffer());
  private final Utf8Validator utf8 = new Utf8Validator();
  private ByteBuf direct;
  private Buffer payload;

  @Setup(Level.Trial)
  public void setUp() {
    pipeline = MessagePipeline.build(rules(PLENTY), new SubjectBuckets(1000), "bench");
    refusing = MessagePipeline.build(rules(ONE_PER_HOUR), new SubjectBuckets(1000), "bench-refusing");
    List<MessageRule> all = rules(PLENTY);
    sizeAndRate = MessagePipeline.build(all.subList(0, 2), new SubjectBuckets(1000), "bench-size-rate");
    patternOnly = MessagePipeline.build(all.subList(2, 3), null, "bench-pattern");
    jsonOnly = MessagePipeline.build(all.subList(3, 4), null, "bench-json");
    state = pipeline.newSessionState();
    refusingState = refusing.newSessionState();
    patternState = patternOnly.newSessionState();
    jsonState = jsonOnly.newSessionState();
    byte[] bytes = Payloads.json(message).getBytes(StandardCharsets.UTF_8);
    if (buffer.equals("direct")) {
      direct = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length);
      direct.writeBytes(bytes);
      payload = BufferInternal.buffer(direct);
    } else {
      payload = Buffer.buffer(bytes);
    }
    // Both pipelines must see this message as the steady state they measure.
    requireOutcome(pipeline.check(reused.reset(true, payload), state, null), Decision.Outcome.PASS);
    refusing.check(reused.reset(true, payload), refusingState, null);
    requireOutcome(refusing.check(reused.reset(true, payload), refusingState, null), Decision.Outcome.DROP);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (direct != null) {
      direct.release();
    }
  }

  static List<MessageRule> rules(Rate messages) {
    return List.of(
        new MessageRule.Size("size", 64 * 1024, Action.CLOSE, Mode.ENFORCE),
        new MessageRule.RateLimit("rate", Scope.CONNECTION, messages, null, Action.DROP, Mode.ENFORCE),
        new MessageRule.Patterns("no-script", List.of("(?i)<script"), Action.CLOSE, Mode.ENFORCE),
        new MessageRule.Json("json", 32, Action.DROP, Mode.ENFORCE));
  }

  private static void requireOutcome(Decision decision, Decision.Outcome expected) {
    if (decision.outcome() != expected) {
      throw new IllegalStateException("expected " + expected + ", got " + decision);
    }
  }

  /** Size, rate (never short), pattern, JSON: every rule runs and the message passes. */
  @Benchmark
  public Decision pipeline() {
    return pipeline.check(reused.reset(true, payload), state, null);
  }

  /** The rate rule refuses (drop) every message: the rules after it do not run. */
  @Benchmark
  public Decision pipelineRateRefuses() {
    return refusing.check(reused.reset(true, payload), refusingState, null);
  }

  /** Parts of {@link #pipeline}, to see where its time goes: size and rate only (no content rule). */
  @Benchmark
  public Decision partSizeAndRate() {
    return sizeAndRate.check(reused.reset(true, payload), state, null);
  }

  /** The RE2 deny pattern alone. */
  @Benchmark
  public Decision partPattern() {
    return patternOnly.check(reused.reset(true, payload), patternState, null);
  }

  /** JSON well-formedness alone. */
  @Benchmark
  public Decision partJson() {
    return jsonOnly.check(reused.reset(true, payload), jsonState, null);
  }

  /** The relay's fail-fast UTF-8 check of a whole text message, as it runs on every text frame. */
  @Benchmark
  public boolean utf8Validator() {
    utf8.reset();
    return utf8.update(payload) && utf8.complete();
  }
}
