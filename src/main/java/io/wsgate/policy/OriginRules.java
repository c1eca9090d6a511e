package io.wsgate.policy;

import java.util.List;

/**
 * Cross-site WebSocket hijacking defence: which {@code Origin} values may open a session.
 *
 * @param allow        exact origins ({@code https://app.example.com}) or one-label wildcards
 *                     ({@code https://*.example.com}); compared case-insensitively, default ports folded
 * @param allowMissing a request without Origin (non-browser client) is allowed
 * @param allowNull    {@code Origin: null} (sandboxed frames, file://) is allowed
 */
public record OriginRules(List<String> allow, boolean allowMissing, boolean allowNull, Mode mode) {
  public OriginRules {
    allow = List.copyOf(allow);
  }
}
