package io.wsgate.token;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Tokens already verified, so that a client reconnecting with the same token (a reconnect storm
 * after a deploy) costs a hash, not a signature check. Keyed by the token's SHA-256 (the token itself
 * is never kept); at most {@link #MAX_ENTRIES}; an entry goes at its token's {@code exp}, or after
 * {@link #MAX_AGE}, whichever comes first. An entry remembers the key set that verified it and
 * holds only while that set is its issuer's keys in force: a JWKS refresh or rotation (a withdrawn
 * key) sends the token through a full check again. Only successes are kept: a refusal is cheap to recompute and must not
 * be something an attacker can pin. What is decided after verification (revocation, the route's
 * scopes and claims) is checked on every use, cached or not.
 */
final class VerifiedTokenCache {
  static final int MAX_ENTRIES = 10_000;
  static final Duration MAX_AGE = Duration.ofMinutes(5);

  /** The 32 bytes of a SHA-256, as a map key. */
  private record Digest(long a, long b, long c, long d) {
    static Digest of(String token) {
      try {
        ByteBuffer hash = ByteBuffer.wrap(MessageDigest.getInstance("SHA-256")
            .digest(token.getBytes(StandardCharsets.UTF_8)));
        return new Digest(hash.getLong(), hash.getLong(), hash.getLong(), hash.getLong());
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is missing from this JVM", e);
      }
    }
  }

  private final Clock clock;
  /** A verification, and the key set (by identity) that made it. */
  record Entry(VerifiedToken token, Object keys) {
  }

  private final Cache<Digest, Entry> cache;

  VerifiedTokenCache(Clock clock) {
    this.clock = clock;
    this.cache = Caffeine.newBuilder()
        .maximumSize(MAX_ENTRIES)
        .executor(Runnable::run)
        .expireAfter(new Expiry<Digest, Entry>() {
          @Override
          public long expireAfterCreate(Digest key, Entry entry, long currentTime) {
            Duration left = Duration.between(clock.instant(), entry.token().expiresAt());
            return Math.max(0, Math.min(left.toNanos(), MAX_AGE.toNanos()));
          }

          @Override
          public long expireAfterUpdate(Digest key, Entry entry, long currentTime, long currentDuration) {
            return currentDuration;
          }

          @Override
          public long expireAfterRead(Digest key, Entry entry, long currentTime, long currentDuration) {
            return currentDuration;
          }
        })
        .build();
  }

  /** The token as verified earlier, if it is still before its {@code exp}; else null. */
  Entry get(String token) {
    Entry known = cache.getIfPresent(Digest.of(token));
    return known != null && clock.instant().isBefore(known.token().expiresAt()) ? known : null;
  }

  void put(String token, VerifiedToken verified, Object keys) {
    if (clock.instant().isBefore(verified.expiresAt())) {
      cache.put(Digest.of(token), new Entry(verified, keys));
    }
  }

  long size() {
    cache.cleanUp();
    return cache.estimatedSize();
  }
}
