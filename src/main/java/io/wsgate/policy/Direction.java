package io.wsgate.policy;

/** Which way a message travels: from the client to the upstream, or back. */
public enum Direction {
  TO_UPSTREAM("toUpstream", "to_upstream"),
  TO_CLIENT("toClient", "to_client");

  private final String key;
  private final String metricTag;

  Direction(String key, String metricTag) {
    this.key = key;
    this.metricTag = metricTag;
  }

  /** {@code toUpstream} / {@code toClient}: the policy's key under {@code messages:} and the audit's {@code direction}. */
  public String key() {
    return key;
  }

  /** {@code to_upstream} / {@code to_client}: the {@code direction} label of the metrics. */
  public String metricTag() {
    return metricTag;
  }
}
