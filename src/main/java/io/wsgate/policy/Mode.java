package io.wsgate.policy;

/** Per guard and per rule: enforce it, or only audit and count what it would have done. */
public enum Mode { ENFORCE, MONITOR }
