package io.wsgate.policy;

/**
 * Development conveniences; all off unless a policy turns them on.
 *
 * @param demoPage serve the browser chat page at {@code /}
 */
public record Dev(boolean demoPage) {
}
