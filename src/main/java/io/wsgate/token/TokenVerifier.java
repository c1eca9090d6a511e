package io.wsgate.token;

import com.nimbusds.jose.Header;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.wsgate.policy.Issuer;
import io.wsgate.policy.KeySource;

import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Verifies JWS-signed JWTs (RFC 7519, RFC 7515) against the issuers of one policy snapshot.
 * Build one per snapshot with {@link #create}; it is immutable apart from its JWKS caches and safe
 * to call from any thread. {@link #close()} it when the snapshot is retired.
 *
 * <pre>{@code
 * TokenVerifier.create(vertx, policy.security().issuers())
 *     .compose(verifier -> verifier.verify(token, route.security().auth().issuers()))
 *     .onSuccess(t -> ... t.subject() ...)
 *     .onFailure(e -> ... ((TokenRejection) e).reason() ...);
 * }</pre>
 *
 * <p>Order of checks, cheapest and least trusting first (RFC 8725 §3): length (before any
 * parsing), alphabet and shape, header ({@code none}, unsigned and JWE refused, {@code crit} as
 * {@link CriticalHeader} says), issuer by the
 * still unverified {@code iss} among the route's issuers, algorithm in that issuer's allowlist,
 * key by {@code kid} from that issuer's configured keys only ({@code jku}, {@code x5u},
 * {@code jwk} and {@code x5c} headers are never used or fetched), signature, then the claims:
 * {@code aud}, {@code exp}, {@code nbf}, {@code iat}, required claims, {@code sub}.
 *
 * <p>Threading: a result needing no key fetch is returned already complete. A result that waits for
 * a JWKS fetch completes on the caller's Vert.x context if {@code verify} was called on one
 * (otherwise on a Vert.x event-loop thread). Nothing blocks; signature checks run on the calling thread.
 */
public final class TokenVerifier {
  private static final int MAX_CLAIM_DEPTH = 32;

  /** One issuer, ready: parsed algorithms and either local keys or a JWKS source. */
  private record Trusted(Issuer issuer, Set<JWSAlgorithm> algorithms, Duration skew, KeySet local,
                         JwksKeySource jwks) {
  }

  /** What the unverified token says, once its shape and issuer are known. */
  private record Candidate(SignedJWT jwt, JWSHeader header, Map<String, Object> raw, JWTClaimsSet claims,
                           Trusted trusted) {
  }

  private final Map<String, Trusted> issuers;
  private final Clock clock;
  private final KeySources owned;
  private final VerifiedTokenCache verified;

  private TokenVerifier(Map<String, Trusted> issuers, Clock clock, KeySources owned) {
    this.issuers = issuers;
    this.clock = clock;
    this.owned = owned;
    this.verified = new VerifiedTokenCache(clock);
  }

  /** {@link #create(Vertx, List, Clock)} with the system clock. */
  public static Future<TokenVerifier> create(Vertx vertx, List<Issuer> issuers) {
    return create(vertx, issuers, Clock.systemUTC());
  }

  /**
   * A verifier with JWKS caches of its own, closed by {@link #close()}: loads local keys (files,
   * environment) on a worker thread and starts each JWKS issuer's first fetch and refresh timer. The
   * future does not wait for JWKS fetches: the first verifications join the fetch in flight.
   *
   * @return fails with {@link IllegalArgumentException} naming the issuer and field, never key material
   */
  public static Future<TokenVerifier> create(Vertx vertx, List<Issuer> issuers, Clock clock) {
    return create(vertx, issuers, clock, System::getenv);
  }

  static Future<TokenVerifier> create(Vertx vertx, List<Issuer> issuers, Clock clock, Function<String, String> env) {
    KeySources own = KeySources.live(vertx, clock);
    return create(vertx, issuers, clock, env, own, true);
  }

  /**
   * A verifier for one policy snapshot whose JWKS caches come from {@code shared}, which outlives it
   * (an unchanged issuer keeps its keys across reloads); {@link #close()} leaves them open.
   */
  public static Future<TokenVerifier> create(Vertx vertx, List<Issuer> issuers, KeySources shared) {
    return create(vertx, issuers, Clock.systemUTC(), System::getenv, shared, false);
  }

  private static Future<TokenVerifier> create(Vertx vertx, List<Issuer> issuers, Clock clock,
                                              Function<String, String> env, KeySources sources, boolean owned) {
    List<Issuer> copy = List.copyOf(issuers);
    return vertx.executeBlocking(() -> {
      Map<String, KeySet> local = new HashMap<>();
      for (Issuer issuer : copy) {
        if (issuer.keys().jwksUrl() == null) {
          try {
            KeySet keys = LocalKeys.load(issuer.keys(), env);
            if (!keys.fitsAny(algorithms(issuer))) {
              throw new IllegalArgumentException("no key usable with algorithms " + issuer.algorithms());
            }
            local.put(issuer.name(), keys);
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("issuer " + issuer.name() + ": " + e.getMessage());
          }
        }
      }
      return local;
    }, false).map(local -> {
      Map<String, Trusted> trusted = new LinkedHashMap<>();
      for (Issuer issuer : copy) {
        JwksKeySource jwks = issuer.keys().jwksUrl() == null ? null : sources.source(issuer);
        trusted.put(issuer.name(), new Trusted(issuer, algorithms(issuer), issuer.clockSkew(),
            local.get(issuer.name()), jwks));
      }
      return new TokenVerifier(Collections.unmodifiableMap(trusted), clock, owned ? sources : null);
    }).onFailure(e -> {
      if (owned) {
        sources.close();
      }
    });
  }

  private static Set<JWSAlgorithm> algorithms(Issuer issuer) {
    Set<JWSAlgorithm> out = new LinkedHashSet<>();
    for (String name : issuer.algorithms()) {
      out.add(JWSAlgorithm.parse(name));
    }
    return Set.copyOf(out);
  }

  /**
   * Verifies {@code token} for a route that trusts {@code allowedIssuerNames} (policy issuer names).
   * Never throws.
   *
   * @return the verified token, or a failed future holding a {@link TokenRejection}
   */
  public Future<VerifiedToken> verify(String token, List<String> allowedIssuerNames) {
    VerifiedTokenCache.Entry known = token == null ? null : verified.get(token);
    if (known != null && allowedIssuerNames.contains(known.token().issuerName()) && stillCurrent(known)) {
      return Future.succeededFuture(known.token());
    }
    return verifyAnew(token, allowedIssuerNames);
  }

  /** A cached verification holds while the keys that made it are the issuer's keys in force. */
  private boolean stillCurrent(VerifiedTokenCache.Entry entry) {
    Trusted trusted = issuers.get(entry.token().issuerName());
    if (trusted == null) {
      return false;
    }
    KeySet current = trusted.jwks() == null ? trusted.local() : trusted.jwks().current();
    return current == entry.keys();
  }

  /** Tokens verified and still cached (tests, metrics). */
  public long cachedVerifications() {
    return verified.size();
  }

  private Future<VerifiedToken> verifyAnew(String token, List<String> allowedIssuerNames) {
    Candidate candidate;
    try {
      candidate = inspect(token, allowedIssuerNames);
    } catch (TokenRejection r) {
      return Future.failedFuture(r);
    } catch (RuntimeException e) {
      return Future.failedFuture(TokenRejection.invalid("malformed token"));
    }
    Trusted trusted = candidate.trusted();
    if (trusted.jwks() == null) {
      return settle(token, candidate, trusted.local());
    }
    KeySet current = trusted.jwks().current();
    if (current != null && !unknownKid(current, candidate)) {
      return settle(token, candidate, current);
    }
    Context caller = Vertx.currentContext();
    Promise<VerifiedToken> result = Promise.promise();
    trusted.jwks().refetch().onComplete(ar -> {
      Future<VerifiedToken> outcome = ar.succeeded() ? settle(token, candidate, ar.result()) : Future.failedFuture(ar.cause());
      if (caller == null || caller == Vertx.currentContext()) {
        result.handle(outcome);
      } else {
        caller.runOnContext(v -> result.handle(outcome));
      }
    });
    return result.future();
  }

  private static boolean unknownKid(KeySet keys, Candidate c) {
    String kid = c.header().getKeyID();
    return kid != null && !keys.knows(kid)
        && keys.candidates(c.header().getAlgorithm(), kid).isEmpty();
  }

  private Future<VerifiedToken> settle(String token, Candidate candidate, KeySet keys) {
    try {
      VerifiedToken checked = check(candidate, keys);
      verified.put(token, checked, keys);
      return Future.succeededFuture(checked);
    } catch (TokenRejection r) {
      return Future.failedFuture(r);
    } catch (RuntimeException e) {
      return Future.failedFuture(TokenRejection.invalid("malformed token"));
    }
  }

  /** Everything that can be decided before looking at keys. */
  private Candidate inspect(String token, List<String> allowedIssuerNames) {
    if (token == null || token.isEmpty()) {
      throw TokenRejection.invalid("empty token");
    }
    int limit = 0;
    for (String name : allowedIssuerNames) {
      Trusted t = issuers.get(name);
      if (t != null) {
        limit = Math.max(limit, t.issuer().maxTokenBytes());
      }
    }
    if (limit == 0) {
      throw TokenRejection.invalid("no trusted issuer for this route");
    }
    // Checked on chars, before any decoding: chars never outnumber UTF-8 bytes, and every char is
    // checked to be base64url or '.' below, so past this line chars == bytes.
    if (token.length() > limit) {
      throw TokenRejection.invalid("token too large");
    }
    int dots = 0;
    int firstDot = -1;
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c == '.') {
        if (dots++ == 0) {
          firstDot = i;
        }
      } else if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
        throw TokenRejection.invalid("malformed token");
      }
    }
    if (dots == 4) {
      throw TokenRejection.invalid("encrypted tokens are not accepted");
    }
    if (dots != 2 || firstDot == 0) {
      throw TokenRejection.invalid("malformed token");
    }
    Header header;
    Map<String, Object> headerJson;
    try {
      Base64URL encodedHeader = new Base64URL(token.substring(0, firstDot));
      headerJson = JSONObjectUtils.parse(encodedHeader.decodeToString(), Header.MAX_HEADER_STRING_LENGTH);
      header = Header.parse(headerJson, encodedHeader);
    } catch (ParseException e) {
      throw TokenRejection.invalid("malformed token header");
    }
    if (header instanceof PlainHeader || "none".equalsIgnoreCase(header.getAlgorithm().getName())
        || token.endsWith(".")) {
      throw TokenRejection.invalid("unsigned tokens are not accepted");
    }
    if (header instanceof JWEHeader || !(header instanceof JWSHeader jws)) {
      throw TokenRejection.invalid("encrypted tokens are not accepted");
    }
    if (!jws.isBase64URLEncodePayload()) {
      throw TokenRejection.invalid("unencoded payload is not accepted"); // RFC 7797
    }
    CriticalHeader.check(headerJson);
    SignedJWT jwt;
    Map<String, Object> raw;
    JWTClaimsSet claims;
    try {
      jwt = SignedJWT.parse(token);
      raw = jwt.getPayload().toJSONObject();
      if (raw == null) {
        throw TokenRejection.invalid("malformed token claims");
      }
      claims = JWTClaimsSet.parse(raw);
    } catch (ParseException e) {
      throw TokenRejection.invalid("malformed token claims");
    }
    // Types are checked on the JSON as sent: Nimbus turns "sub": 42 into "42".
    if (!(raw.get("iss") instanceof String iss)) {
      throw TokenRejection.invalid("iss claim missing");
    }
    Trusted trusted = null;
    for (String name : allowedIssuerNames) {
      Trusted t = issuers.get(name);
      if (t != null && t.issuer().issuer().equals(iss)) {
        trusted = t;
        break;
      }
    }
    if (trusted == null) {
      throw TokenRejection.invalid("issuer not accepted");
    }
    if (token.length() > trusted.issuer().maxTokenBytes()) {
      throw TokenRejection.invalid("token too large");
    }
    // An RS/ES issuer never lists HS*: a token signed with HMAC over the public key's bytes stops here.
    if (!trusted.algorithms().contains(jws.getAlgorithm())) {
      throw TokenRejection.invalid("algorithm not accepted for this issuer");
    }
    return new Candidate(jwt, jws, raw, claims, trusted);
  }

  /** Signature with the issuer's own keys, then the claims. */
  private VerifiedToken check(Candidate c, KeySet keys) {
    List<KeySet.Entry> candidates = keys.candidates(c.header().getAlgorithm(), c.header().getKeyID());
    if (candidates.isEmpty()) {
      throw TokenRejection.invalid("no matching signing key");
    }
    boolean valid = false;
    for (KeySet.Entry key : candidates) {
      try {
        if (key.verifier().verify(c.header(), c.jwt().getSigningInput(), c.jwt().getSignature())) {
          valid = true;
          break;
        }
      } catch (JOSEException e) {
        // not this key
      }
    }
    if (!valid) {
      throw TokenRejection.invalid("signature invalid");
    }
    return claims(c.raw(), c.claims(), c.trusted());
  }

  private VerifiedToken claims(Map<String, Object> raw, JWTClaimsSet claims, Trusted trusted) {
    Issuer issuer = trusted.issuer();
    Date exp;
    Date nbf;
    Date iat;
    List<String> audience;
    try {
      exp = claims.getExpirationTime();
      nbf = claims.getNotBeforeTime();
      iat = claims.getIssueTime();
      audience = claims.getAudience();
    } catch (RuntimeException e) {
      throw TokenRejection.invalid("malformed token claims");
    }
    // Nimbus answers null for a time claim that is present but not a number: never skip the check.
    if (exp == null && claims.getClaim("exp") != null || nbf == null && claims.getClaim("nbf") != null
        || iat == null && claims.getClaim("iat") != null) {
      throw TokenRejection.invalid("malformed token claims");
    }
    if (!issuer.issuer().equals(claims.getIssuer())) {
      throw TokenRejection.invalid("issuer not accepted");
    }
    if (audience.stream().noneMatch(issuer.audiences()::contains)) {
      throw TokenRejection.invalid("audience not accepted");
    }
    if (exp == null) {
      throw TokenRejection.invalid("exp claim missing");
    }
    Instant now = clock.instant();
    Duration skew = trusted.skew();
    // RFC 7519 §4.1.4: the token must not be accepted on or after exp.
    if (!now.isBefore(exp.toInstant().plus(skew))) {
      throw TokenRejection.expired();
    }
    if (nbf != null && now.plus(skew).isBefore(nbf.toInstant())) {
      throw TokenRejection.invalid("token not yet valid");
    }
    if (iat != null && iat.toInstant().isAfter(now.plus(skew))) {
      throw TokenRejection.invalid("token issued in the future");
    }
    for (String name : issuer.requiredClaims()) {
      if (claims.getClaim(name) == null) {
        throw TokenRejection.invalid("required claim missing: " + TokenRejection.safe(name));
      }
    }
    if (!(raw.get("sub") instanceof String subject) || subject.isBlank()) {
      throw TokenRejection.invalid("sub claim missing");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> frozen = (Map<String, Object>) frozen(raw, 0);
    return new VerifiedToken(subject, issuer.name(), exp.toInstant(), scopes(claims), strings(claims.getClaim("roles")),
        frozen);
  }

  private static Set<String> scopes(JWTClaimsSet claims) {
    Set<String> out = new LinkedHashSet<>();
    out.addAll(strings(claims.getClaim("scope")));
    out.addAll(strings(claims.getClaim("scp")));
    return out;
  }

  /** A space-separated string, or the string entries of a list. */
  private static List<String> strings(Object value) {
    List<String> out = new ArrayList<>();
    if (value instanceof String s) {
      for (String part : s.split(" ")) {
        if (!part.isEmpty()) {
          out.add(part);
        }
      }
    } else if (value instanceof List<?> list) {
      for (Object o : list) {
        if (o instanceof String s && !s.isEmpty()) {
          out.add(s);
        }
      }
    }
    return out;
  }

  private static Object frozen(Object value, int depth) {
    if (depth > MAX_CLAIM_DEPTH) {
      throw TokenRejection.invalid("token claims nested too deeply");
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      map.forEach((k, v) -> copy.put(String.valueOf(k), frozen(v, depth + 1)));
      return Collections.unmodifiableMap(copy);
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>(list.size());
      for (Object o : list) {
        copy.add(frozen(o, depth + 1));
      }
      return Collections.unmodifiableList(copy);
    }
    return value;
  }

  /** Completed JWKS fetches (succeeded or failed) for this issuer; 0 if it has no JWKS. */
  public long jwksFetches(String issuerName) {
    Trusted t = issuers.get(issuerName);
    return t == null || t.jwks() == null ? 0 : t.jwks().fetches();
  }

  /** Failed JWKS fetches (unreachable, not 200, too large, not a usable JWK Set) for this issuer. */
  public long jwksFailures(String issuerName) {
    Trusted t = issuers.get(issuerName);
    return t == null || t.jwks() == null ? 0 : t.jwks().failures();
  }

  /** The JWKS source of an issuer, for tests in this package; null for local keys. */
  JwksKeySource jwks(String issuerName) {
    Trusted t = issuers.get(issuerName);
    return t == null ? null : t.jwks();
  }

  /**
   * For a verifier with caches of its own: cancels the JWKS refresh timers and closes the HTTP
   * client (verifications already waiting finish). Shared caches are left to their {@link KeySources}.
   */
  public Future<Void> close() {
    return owned == null ? Future.succeededFuture() : owned.close();
  }
}
