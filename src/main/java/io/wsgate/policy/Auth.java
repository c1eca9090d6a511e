package io.wsgate.policy;

import java.util.List;
import java.util.Map;

/**
 * A route's authentication and authorization. Every route must say one or the other: either
 * {@code anonymous: true}, or the issuers it trusts.
 *
 * @param scopes        all of these must be in the token's {@code scope} / {@code scp}
 * @param roles         at least one of these must be in the token's {@code roles} claim (if any listed)
 * @param claims        claim name → exact required value
 * @param subjectHeader header carrying the verified subject upstream (client copies are stripped)
 * @param forwardClaims claim name → header name, forwarded upstream (client copies are stripped)
 * @param reauth        accept in-band re-authentication messages on live sessions
 */
public record Auth(boolean anonymous, List<String> issuers, List<TokenSource> tokenSources, List<String> scopes,
                   List<String> roles, Map<String, String> claims, String subjectHeader,
                   Map<String, String> forwardClaims, boolean reauth, Mode mode) {
  public Auth {
    issuers = List.copyOf(issuers);
    tokenSources = List.copyOf(tokenSources);
    scopes = List.copyOf(scopes);
    roles = List.copyOf(roles);
    claims = Map.copyOf(claims);
    forwardClaims = Map.copyOf(forwardClaims);
  }

  public static final Auth ANONYMOUS = new Auth(true, List.of(), List.of(), List.of(), List.of(), Map.of(), null,
      Map.of(), false, Mode.ENFORCE);

  /**
   * A route whose client certificate is the identity ({@code clientCert.identity: certificate}): no
   * token is read; the certificate's subject is the session's, sent upstream in the default subject header.
   */
  public static final Auth CLIENT_CERTIFICATE = new Auth(false, List.of(), List.of(), List.of(), List.of(), Map.of(),
      RouteSecuritySection.DEFAULT_SUBJECT_HEADER, Map.of(), false, Mode.ENFORCE);
}
