package io.wsgate.metrics;

/** What {@code /metrics} reads about this node's fleet when the policy has a {@code cluster:} section. */
public interface FleetGauges {
  /** Which limit a fallback decided, the {@code limit} label of {@code wsgate_cluster_fallbacks_total}. */
  enum Limit {
    HANDSHAKE_RATE("handshake_rate"),
    MESSAGE_RATE("message_rate"),
    CONNECTIONS("connections");

    private final String tag;

    Limit(String tag) {
      this.tag = tag;
    }

    public String tag() {
      return tag;
    }
  }

  /** This node's id (the {@code node} label). */
  String node();

  /** Whether the store answers now. */
  boolean storeUp();

  /** Decisions of {@code limit} this node took alone because the store could not be asked (failOpen). */
  long fallbacks(Limit limit);

  /** Nodes heard from within the liveness window, as of the last roll call (0 before one). */
  int liveNodes();

  /** Distinct policy versions among those nodes (more than 1: they disagree). */
  int policyVersions();
}
