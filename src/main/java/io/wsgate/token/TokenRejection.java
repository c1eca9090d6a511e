package io.wsgate.token;

import io.wsgate.Reason;

import java.util.Objects;

/**
 * Why a token was refused: the {@link Reason} (HTTP status, audit tag), the OAuth error code for
 * {@code WWW-Authenticate} (RFC 6750 §3.1) and a short description.
 *
 * <p>The description is one of a fixed set of phrases written in this package, optionally naming a
 * configured issuer or claim. It never contains the token, any part of it, or key material, so it
 * is safe for a response header, the audit log and metrics. It only uses the characters RFC 6750
 * allows in {@code error_description} (printable ASCII without {@code "} and {@code \}).
 *
 * <p>Carries no stack trace: a rejection is an expected outcome, not a bug, and is created often.
 */
public final class TokenRejection extends RuntimeException {
  /** RFC 6750 §3.1: the token is expired, revoked, malformed or otherwise invalid. */
  public static final String INVALID_TOKEN = "invalid_token";
  /** The keys to check the token could not be obtained; the client may retry later. */
  public static final String TEMPORARILY_UNAVAILABLE = "temporarily_unavailable";

  private final Reason reason;
  private final String errorCode;
  private final String description;

  private TokenRejection(Reason reason, String errorCode, String description) {
    super(reason.tag() + ": " + description, null, false, false);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.errorCode = errorCode;
    this.description = description;
  }

  /** Configured names (issuer, claim) may appear in a description: keep only RFC 6750 NQSCHAR characters. */
  static String safe(String name) {
    StringBuilder b = new StringBuilder(Math.min(name.length(), 64));
    for (int i = 0; i < name.length() && i < 64; i++) {
      char c = name.charAt(i);
      b.append(c >= 0x20 && c <= 0x7e && c != '"' && c != '\\' ? c : '?');
    }
    return b.toString();
  }

  static TokenRejection invalid(String description) {
    return new TokenRejection(Reason.TOKEN_INVALID, INVALID_TOKEN, description);
  }

  static TokenRejection expired() {
    return new TokenRejection(Reason.TOKEN_EXPIRED, INVALID_TOKEN, "token expired");
  }

  static TokenRejection keysUnavailable(String issuerName) {
    return new TokenRejection(Reason.TOKEN_KEYS_UNAVAILABLE, TEMPORARILY_UNAVAILABLE,
        "signing keys of issuer " + safe(issuerName) + " unavailable");
  }

  /** {@link Reason#TOKEN_INVALID}, {@link Reason#TOKEN_EXPIRED} or {@link Reason#TOKEN_KEYS_UNAVAILABLE}. */
  public Reason reason() {
    return reason;
  }

  /** {@value #INVALID_TOKEN} for 401 answers, {@value #TEMPORARILY_UNAVAILABLE} for keys unavailable (503). */
  public String errorCode() {
    return errorCode;
  }

  /** Short, fixed phrase; never contains the token or key material. */
  public String description() {
    return description;
  }

  /** The {@code WWW-Authenticate} value for a 401 answer, e.g. {@code Bearer error="invalid_token", error_description="token expired"}. */
  public String wwwAuthenticate() {
    return "Bearer error=\"" + errorCode + "\", error_description=\"" + description + "\"";
  }
}
