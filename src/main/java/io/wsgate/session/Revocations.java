package io.wsgate.session;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;

import java.time.Duration;
import java.time.Instant;

/**
 * Subjects whose tokens are refused until a chosen time (admin revocation). Bounded, and each
 * entry disappears when its revocation ends.
 */
public final class Revocations {
  private static final int MAX_REVOKED_SUBJECTS = 100_000;

  private final Cache<String, Instant> revoked = Caffeine.newBuilder()
      .maximumSize(MAX_REVOKED_SUBJECTS)
      .expireAfter(new Expiry<String, Instant>() {
        @Override
        public long expireAfterCreate(String subject, Instant until, long currentTime) {
          return Math.max(0, Duration.between(Instant.now(), until).toNanos());
        }

        @Override
        public long expireAfterUpdate(String subject, Instant until, long currentTime, long currentDuration) {
          return expireAfterCreate(subject, until, currentTime);
        }

        @Override
        public long expireAfterRead(String subject, Instant until, long currentTime, long currentDuration) {
          return currentDuration;
        }
      })
      .build();

  public void revoke(String subject, Instant until) {
    revoked.put(subject, until);
  }

  public boolean isRevoked(String subject) {
    Instant until = revoked.getIfPresent(subject);
    return until != null && Instant.now().isBefore(until);
  }

  /** Until when the subject is revoked, or null. */
  public Instant revokedUntil(String subject) {
    return revoked.getIfPresent(subject);
  }
}
