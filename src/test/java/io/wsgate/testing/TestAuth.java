package io.wsgate.testing;

import io.wsgate.policy.Auth;
import io.wsgate.policy.MessageRules;
import io.wsgate.policy.Mode;
import io.wsgate.policy.RouteSecurity;
import io.wsgate.policy.TokenSource;

import java.util.List;
import java.util.Map;

/**
 * A route's {@link Auth} for tests, built step by step: the issuers it trusts, where it reads the
 * token (default: the Authorization header), what it requires and forwards.
 *
 * <pre>{@code
 * .security(TestAuth.trusting("idp").scopes("chat:write").route())
 * }</pre>
 */
public final class TestAuth {
  public static final TokenSource HEADER = new TokenSource(TokenSource.Kind.AUTHORIZATION, null);
  public static final TokenSource SUBPROTOCOL = new TokenSource(TokenSource.Kind.SUBPROTOCOL, null);

  private final List<String> issuers;
  private List<TokenSource> sources = List.of(HEADER);
  private List<String> scopes = List.of();
  private List<String> roles = List.of();
  private Map<String, String> claims = Map.of();
  private String subjectHeader = "x-wsgate-subject";
  private Map<String, String> forwardClaims = Map.of();
  private Mode mode = Mode.ENFORCE;
  private boolean reauth;

  private TestAuth(List<String> issuers) {
    this.issuers = List.copyOf(issuers);
  }

  public static TestAuth trusting(String... issuerNames) {
    return new TestAuth(List.of(issuerNames));
  }

  public static TokenSource query(String name) {
    return new TokenSource(TokenSource.Kind.QUERY, name);
  }

  public static TokenSource cookie(String name) {
    return new TokenSource(TokenSource.Kind.COOKIE, name);
  }

  public TestAuth sources(TokenSource... sources) {
    this.sources = List.of(sources);
    return this;
  }

  public TestAuth scopes(String... scopes) {
    this.scopes = List.of(scopes);
    return this;
  }

  public TestAuth roles(String... roles) {
    this.roles = List.of(roles);
    return this;
  }

  public TestAuth claims(Map<String, String> claims) {
    this.claims = claims;
    return this;
  }

  public TestAuth forwardClaims(Map<String, String> claimToHeader) {
    this.forwardClaims = claimToHeader;
    return this;
  }

  /** Accept in-band re-authentication. */
  public TestAuth reauth() {
    this.reauth = true;
    return this;
  }

  public TestAuth monitor() {
    this.mode = Mode.MONITOR;
    return this;
  }

  public Auth build() {
    return new Auth(false, issuers, sources, scopes, roles, claims, subjectHeader, forwardClaims, reauth, mode);
  }

  /** Any address and Origin, this auth, no message rules. */
  public RouteSecurity route() {
    return route(MessageRules.NONE);
  }

  /** Any address and Origin, this auth, these message rules. */
  public RouteSecurity route(MessageRules rules) {
    return new RouteSecurity(null, TestPolicy.OPEN_ROUTE.origins(), build(), rules);
  }
}
