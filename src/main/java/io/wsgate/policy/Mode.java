package io.wsgate.policy;

/** Per guard and per rule: enforce it, or only audit and count what it would have done. */
public enum Mode {
  ENFORCE, MONITOR;

  /** What an unset {@code mode} means. */
  public static final Mode DEFAULT = ENFORCE;

  /** As written in a policy: {@code enforce}, {@code monitor}. */
  public String policyName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
