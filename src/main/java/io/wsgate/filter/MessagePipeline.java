package io.wsgate.filter;

import io.wsgate.policy.Action;
import io.wsgate.policy.MessageRule;
import io.wsgate.policy.Mode;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The message rules of one route direction, compiled once per policy snapshot and shared by every
 * session of that snapshot. {@link #check} runs the rules in policy order: the first enforce-mode
 * rule that refuses the message decides (drop or close) and the rest do not run; a monitor-mode
 * rule that refuses is recorded and the next rule runs, so a message only monitor rules refuse
 * still passes, carrying those hits.
 *
 * <p>Built with everything decided in advance (patterns and schemas compiled, bucket specs
 * validated, slots numbered, every single-hit {@link Decision} constructed), the per-message path
 * reads final fields only: no lookup by rule name, no compiling, and no text or JSON conversion
 * unless a rule needs it, then once per message (see {@link Message}). A message nothing refuses
 * returns {@link Decision#PASS} without allocating.
 *
 * <pre>{@code
 * SubjectBuckets subjects = new SubjectBuckets(limits.maxTrackedKeys());      // one per snapshot
 * MessagePipeline in = MessagePipeline.build(route.messageRules().toUpstream(), subjects);
 * SessionFilterState state = in.newSessionState();                            // one per session
 * Decision d = in.check(new Message(true, payload), state, subject);          // event loop
 * }</pre>
 *
 * <p>Thread-safe: one pipeline serves sessions on all event loops. A {@link SessionFilterState}
 * and a {@link Message} belong to one session's event loop.
 */
public final class MessagePipeline {
  private static final MessagePipeline EMPTY = new MessagePipeline(new Stage[0], 0, false);

  private final Stage[] stages;
  private final int connectionSlots;
  private final boolean inspectsContent;

  private MessagePipeline(Stage[] stages, int connectionSlots, boolean inspectsContent) {
    this.stages = stages;
    this.connectionSlots = connectionSlots;
    this.inspectsContent = inspectsContent;
  }

  /**
   * Compiles {@code rules} (in order).
   *
   * @param shared the snapshot's per-subject buckets; may be null only if no rule has scope subject
   * @throws IllegalArgumentException naming the rule, if one cannot be compiled (bad pattern or
   *     schema, unusable rate)
   */
  public static MessagePipeline build(List<MessageRule> rules, SubjectBuckets shared) {
    return build(rules, shared, SubjectBuckets.uniquePipelineName());
  }

  /**
   * As {@link #build(List, SubjectBuckets)}, naming the pipeline so that its per-subject rules find
   * the buckets a pipeline of the same name had in an earlier snapshot (unchanged rules only).
   *
   * @param name where the rules are, unique within a policy, e.g. {@code routes[exact /chat].toUpstream}
   */
  public static MessagePipeline build(List<MessageRule> rules, SubjectBuckets shared, String name) {
    Objects.requireNonNull(rules, "rules");
    if (rules.isEmpty()) {
      return EMPTY;
    }
    JsonReader json = new JsonReader(jsonDepthLimit(rules));
    PipelineSlots slots = new PipelineSlots(shared, name);
    Stage[] stages = new Stage[rules.size()];
    boolean inspectsContent = false;
    for (int i = 0; i < stages.length; i++) {
      MessageRule rule = Objects.requireNonNull(rules.get(i), "rule");
      requireNamed(rule);
      slots.building(rule.name());
      MessageFilter filter = compile(rule, json, slots);
      stages[i] = new Stage(filter, rule);
      inspectsContent |= filter.inspectsContent();
    }
    return new MessagePipeline(stages, slots.connectionSlots(), inspectsContent);
  }

  private static MessageFilter compile(MessageRule rule, JsonReader json, PipelineSlots slots) {
    // MessageRule is sealed; an unknown kind can only mean this method was not updated.
    if (rule instanceof MessageRule.Types types) {
      return new TypeFilter(types);
    } else if (rule instanceof MessageRule.Size size) {
      return new SizeFilter(size);
    } else if (rule instanceof MessageRule.RateLimit rate) {
      return new RateFilter(rate, slots);
    } else if (rule instanceof MessageRule.FieldRate fieldRate) {
      return new FieldRateFilter(fieldRate, json, slots);
    } else if (rule instanceof MessageRule.Json jsonRule) {
      return new JsonFilter(jsonRule, json);
    } else if (rule instanceof MessageRule.Schema schema) {
      return new SchemaFilter(schema, json);
    } else if (rule instanceof MessageRule.Patterns patterns) {
      return new PatternFilter(patterns);
    }
    throw new IllegalArgumentException("rule '" + rule.name() + "': unsupported kind "
        + rule.getClass().getSimpleName());
  }

  /** True when there are no rules: the caller may skip building messages altogether. */
  public boolean isEmpty() {
    return stages.length == 0;
  }

  /**
   * True when some rule reads the payload (JSON, schema, pattern, field rate); false when type,
   * length and the rate buckets are all the rules look at.
   */
  public boolean inspectsContent() {
    return inspectsContent;
  }

  /** Rule count (for logs and tests). */
  public int size() {
    return stages.length;
  }

  /**
   * Per-connection state for one session in this pipeline's direction; the shared empty state when
   * no rule keeps per-connection buckets. Buckets inside are created on first use.
   */
  public SessionFilterState newSessionState() {
    return connectionSlots == 0 ? SessionFilterState.EMPTY : new SessionFilterState(connectionSlots);
  }

  /**
   * Runs the rules on one whole message.
   *
   * @param state this session's state from {@link #newSessionState()} of this pipeline
   * @param subject the session's authenticated subject, or null on an anonymous route (per-subject
   *     limits then apply to this connection alone)
   */
  public Decision check(Message message, SessionFilterState state, String subject) {
    return check(message, state, subject, false);
  }

  /**
   * Runs only the rules that count every message, size and rate ({@link MessageFilter#countsControlMessages}),
   * on one of the gateway's own control messages: re-authentication is charged to the same budget
   * as the application's messages.
   */
  public Decision checkControlMessage(Message message, SessionFilterState state, String subject) {
    return check(message, state, subject, true);
  }

  private Decision check(Message message, SessionFilterState state, String subject, boolean control) {
    Decision firstMonitored = null;
    List<Decision.Hit> monitored = null;
    for (Stage stage : stages) {
      if (control && !stage.filter.countsControlMessages() || stage.filter.accepts(message, state, subject)) {
        continue;
      }
      // A shared per-subject bucket that could not decide yet refuses the message, but never ends the session.
      boolean undecided = state.takeUndecided();
      if (!stage.monitor) {
        if (firstMonitored == null) {
          return undecided ? stage.undecidedRefusal : stage.refusal;
        }
        return Decision.refused(undecided ? stage.undecidedRefusal.refusal() : stage.hit,
            monitored == null ? firstMonitored.monitorHits() : monitored);
      }
      if (firstMonitored == null) {
        firstMonitored = stage.monitoredAlone;
      } else {
        if (monitored == null) {
          monitored = new ArrayList<>(firstMonitored.monitorHits());
        }
        monitored.add(stage.hit);
      }
    }
    if (firstMonitored == null) {
      return Decision.PASS;
    }
    return monitored == null ? firstMonitored : Decision.monitored(monitored);
  }

  /**
   * One parser per pipeline (a message is parsed at most once): as deep as the most permissive JSON
   * rule allows, stricter rules measure the tree. Without a JSON rule, a fixed bound still applies.
   */
  private static int jsonDepthLimit(List<MessageRule> rules) {
    int depth = 0;
    for (MessageRule rule : rules) {
      if (rule instanceof MessageRule.Json json) {
        depth = Math.max(depth, json.maxDepth());
      }
    }
    return depth > 0 ? depth : JsonReader.DEFAULT_MAX_DEPTH;
  }

  private static void requireNamed(MessageRule rule) {
    if (rule.name() == null || rule.name().isEmpty()) {
      throw new IllegalArgumentException("a message rule has no name: " + rule);
    }
    if (rule.action() == null || rule.mode() == null) {
      throw new IllegalArgumentException("rule '" + rule.name() + "' needs an action and a mode");
    }
  }

  /** A filter plus the decisions it produces, built once. */
  private static final class Stage {
    final MessageFilter filter;
    final boolean monitor;
    final Decision.Hit hit;
    final Decision refusal;
    /** The refusal when a shared bucket could not decide yet: a drop, whatever the rule's action. */
    final Decision undecidedRefusal;
    final Decision monitoredAlone;

    Stage(MessageFilter filter, MessageRule rule) {
      this.filter = filter;
      this.monitor = rule.mode() == Mode.MONITOR;
      this.hit = new Decision.Hit(filter.reason(), rule.name(), rule.action(), rule.mode());
      this.refusal = monitor ? null : Decision.refused(hit, List.of());
      this.undecidedRefusal = monitor ? null : rule.action() == Action.DROP ? refusal
          : Decision.refused(new Decision.Hit(filter.reason(), rule.name(), Action.DROP, rule.mode()), List.of());
      this.monitoredAlone = monitor ? Decision.monitored(List.of(hit)) : null;
    }
  }
}
