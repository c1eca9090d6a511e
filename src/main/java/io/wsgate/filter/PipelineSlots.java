package io.wsgate.filter;

/** While one pipeline is built: numbers its per-connection bucket slots and hands out the shared subject buckets. */
final class PipelineSlots {
  private final SubjectBuckets subjects;
  private String rule = "?";
  private int connectionSlots;

  PipelineSlots(SubjectBuckets subjects) {
    this.subjects = subjects;
  }

  /** Names the rule being built, for error messages. */
  void building(String ruleName) {
    this.rule = ruleName;
  }

  int connectionSlot() {
    return connectionSlots++;
  }

  int connectionSlots() {
    return connectionSlots;
  }

  SubjectBuckets subjects() {
    if (subjects == null) {
      throw new IllegalArgumentException("rule '" + rule + "' has scope subject, but the pipeline was built "
          + "without SubjectBuckets");
    }
    return subjects;
  }
}
