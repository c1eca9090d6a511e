package io.wsgate.filter;

/**
 * While one pipeline is built: numbers its per-connection bucket slots, names each shared limit
 * (pipeline, rule, part) and hands out the shared subject buckets.
 */
final class PipelineSlots {
  private final SubjectBuckets subjects;
  private final String pipeline;
  private String rule = "?";
  private int connectionSlots;

  PipelineSlots(SubjectBuckets subjects, String pipeline) {
    this.subjects = subjects;
    this.pipeline = pipeline;
  }

  /** Names the rule being built, for error messages and shared limits. */
  void building(String ruleName) {
    this.rule = ruleName;
  }

  int connectionSlot() {
    return connectionSlots++;
  }

  int connectionSlots() {
    return connectionSlots;
  }

  /** The stable name of one part of the rule being built ({@code messages}, {@code bytes}, {@code value:chat}). */
  String sharedName(String part) {
    return pipeline + "." + rule + "." + part;
  }

  SubjectBuckets subjects() {
    if (subjects == null) {
      throw new IllegalArgumentException("rule '" + rule + "' has scope subject, but the pipeline was built "
          + "without SubjectBuckets");
    }
    return subjects;
  }
}
