package io.wsgate.handshake;

import io.vertx.core.Future;
import io.wsgate.Reason;
import io.wsgate.limits.LimiterRegistry;
import io.wsgate.limits.RateLimitBackend;
import io.wsgate.limits.RateLimiter;
import io.wsgate.limits.RetryAfter;
import io.wsgate.policy.ConnectionLimits;
import io.wsgate.policy.Mode;
import io.wsgate.policy.Route;

import java.util.function.Function;

/**
 * A handshake rate ({@code connections.perIp.handshakes} by client address, or
 * {@code connections.global.handshakes}): one token per upgrade request, and a refusal says how long
 * to wait ({@code Retry-After}).
 */
public final class HandshakeRateGuard implements HandshakeGuard {
  /** Where the handshake buckets are kept, by the field that defines them. */
  public static final String PER_IP = "connections.perIp.handshakes";
  public static final String GLOBAL = "connections.global.handshakes";

  private final RateLimiter limiter;
  private final Function<HandshakeRequest, String> key;
  private final Reason reason;
  private final Mode mode;

  private HandshakeRateGuard(RateLimiter limiter, Function<HandshakeRequest, String> key, Reason reason, Mode mode) {
    this.limiter = limiter;
    this.key = key;
    this.reason = reason;
    this.mode = mode;
  }

  /** Per client address (429); null when the policy sets no such rate. */
  public static HandshakeRateGuard perIp(ConnectionLimits limits, RateLimitBackend.Uses limiters) {
    return limits.handshakesPerIp() == null ? null : new HandshakeRateGuard(
        limiters.limiter(new LimiterRegistry.Spec(PER_IP, limits.handshakesPerIp(), limits.maxTrackedKeys())),
        HandshakeRequest::clientIp, Reason.HANDSHAKE_RATE_LIMITED, limits.mode());
  }

  /** For the whole gateway (503); null when the policy sets no such rate. */
  public static HandshakeRateGuard global(ConnectionLimits limits, RateLimitBackend.Uses limiters) {
    return limits.handshakesGlobal() == null ? null : new HandshakeRateGuard(
        limiters.limiter(new LimiterRegistry.Spec(GLOBAL, limits.handshakesGlobal(), 1)),
        request -> "*", Reason.GLOBAL_HANDSHAKE_RATE_LIMITED, limits.mode());
  }

  @Override
  public Future<Verdict> check(HandshakeRequest request) {
    return limiter.acquire(key.apply(request), 1, request.storeBudget()).map(wait -> wait == 0 ? Verdict.ALLOW
        : Verdict.denyRetryAfter(reason, RetryAfter.seconds(wait)));
  }

  @Override
  public Mode mode(Route route) {
    return mode;
  }
}
