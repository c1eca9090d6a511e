package io.wsgate.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Reads a route's {@code clients}, {@code origins}, {@code auth} and {@code messages}. */
final class RouteSecuritySection {
  static final List<String> ORIGIN_KEYS = List.of("allow", "allowMissing", "allowNull", "mode");
  static final List<String> AUTH_KEYS = List.of("anonymous", "issuers", "tokenFrom", "scopes", "roles", "claims",
      "subjectHeader", "forwardClaims", "reauth", "mode");
  static final String DEFAULT_SUBJECT_HEADER = "x-wsgate-subject";
  static final List<TokenSource> DEFAULT_TOKEN_SOURCES = List.of(
      new TokenSource(TokenSource.Kind.AUTHORIZATION, null), new TokenSource(TokenSource.Kind.SUBPROTOCOL, null));
  /** What a missing or invalid section stands for: nothing passes. */
  static final OriginRules NO_ORIGINS = new OriginRules(List.of(), false, false, Mode.ENFORCE);
  static final Auth NO_AUTH = new Auth(false, List.of(), DEFAULT_TOKEN_SOURCES, List.of(), List.of(), Map.of(),
      DEFAULT_SUBJECT_HEADER, Map.of(), false, Mode.ENFORCE);

  private static final String TOKEN_SOURCE_SYNTAX = "expected authorization, subprotocol, cookie:<name> or query:<name>";
  private static final Pattern COOKIE_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
  private static final Pattern QUERY_NAME = Pattern.compile("[A-Za-z0-9._~-]+");

  private final NodeReader reader;
  private final MessageRulesSection messages;

  RouteSecuritySection(NodeReader reader, PolicyPaths paths) {
    this.reader = reader;
    this.messages = new MessageRulesSection(reader, paths);
  }

  /** @param certificateIdentity the route's {@code clientCert} is its identity: {@code auth} must be left out */
  RouteSecurity read(MappingReader route, List<Issuer> issuers, boolean certificateIdentity) {
    IpRules ipRules = ClientsSection.route(route);
    route.requireKey("origins", "required (allow: the Origins that may open a session; [\"*\"] for any)");
    OriginRules origins = route.has("origins") ? origins(route.mapping("origins", ORIGIN_KEYS)) : NO_ORIGINS;
    Auth auth;
    if (certificateIdentity) {
      if (route.present("auth")) {
        route.error("auth", "not allowed with clientCert.identity: certificate (the certificate is the identity)");
      }
      auth = Auth.CLIENT_CERTIFICATE;
    } else {
      route.requireKey("auth", "required (anonymous: true, or issuers: [...])");
      auth = route.has("auth") ? auth(route.mapping("auth", AUTH_KEYS), issuers) : NO_AUTH;
    }
    MessageRules rules = route.has("messages")
        ? messages.read(route.mapping("messages", MessageRulesSection.KEYS), auth.anonymous()) : MessageRules.NONE;
    return new RouteSecurity(ipRules, origins, auth, rules);
  }

  private OriginRules origins(MappingReader m) {
    m.requireKey("allow", "required (the Origins that may open a session; [\"*\"] for any)");
    List<String> allow = new ArrayList<>();
    List<MappingReader.StringItem> items = m.has("allow") ? m.strings("allow") : null;
    if (items != null) {
      for (MappingReader.StringItem item : items) {
        try {
          String entry = Origins.normalizeEntry(item.value());
          if (entry.equals(Origins.ANY) && m.sequence("allow").size() > 1) {
            reader.error(item.node(), item.field(), "\"*\" must be the only entry");
          } else if (allow.contains(entry)) {
            reader.error(item.node(), item.field(), "duplicate origin " + NodeReader.quote(entry));
          } else {
            allow.add(entry);
          }
        } catch (IllegalArgumentException e) {
          reader.error(item.node(), item.field(), e.getMessage());
        }
      }
    }
    return new OriginRules(allow, m.bool("allowMissing", false), m.bool("allowNull", false), m.mode());
  }

  private Auth auth(MappingReader m, List<Issuer> issuers) {
    boolean anonymous = m.bool("anonymous", false);
    Mode mode = m.mode();
    if (anonymous) {
      for (String key : AUTH_KEYS) {
        if (!key.equals("anonymous") && !key.equals("mode") && m.present(key)) {
          m.error(key, "not allowed with anonymous: true (a route is either anonymous or lists its issuers)");
        }
      }
      return new Auth(true, List.of(), List.of(), List.of(), List.of(), Map.of(), null, Map.of(), false, mode);
    }
    m.requireKey("issuers", "required (the issuers this route trusts), or anonymous: true");
    List<String> names = new ArrayList<>();
    if (m.has("issuers")) {
      List<MappingReader.StringItem> items = m.strings("issuers");
      if (items != null && m.sequence("issuers").isEmpty()) {
        m.error("issuers", "must list at least one issuer (or use anonymous: true)");
      }
      for (MappingReader.StringItem item : items == null ? List.<MappingReader.StringItem>of() : items) {
        if (issuers.stream().noneMatch(i -> i.name().equals(item.value()))) {
          reader.error(item.node(), item.field(), IssuersSection.unknown(item.value(), issuers));
        } else if (names.contains(item.value())) {
          reader.error(item.node(), item.field(), "duplicate issuer " + NodeReader.quote(item.value()));
        } else {
          names.add(item.value());
        }
      }
    }
    List<TokenSource> sources = m.has("tokenFrom") ? tokenSources(m) : DEFAULT_TOKEN_SOURCES;
    List<String> scopes = words(m, "scopes", "scope");
    List<String> roles = words(m, "roles", "role");
    Map<String, String> claims = stringMap(m.mapping("claims", null));
    String subjectHeader = header(m, "subjectHeader", DEFAULT_SUBJECT_HEADER);
    Map<String, String> forwardClaims = forwardClaims(m, subjectHeader);
    return new Auth(false, names, sources, scopes, roles, claims, subjectHeader, forwardClaims,
        m.bool("reauth", false), mode);
  }

  private List<TokenSource> tokenSources(MappingReader m) {
    List<MappingReader.StringItem> items = m.strings("tokenFrom");
    if (items == null) {
      return DEFAULT_TOKEN_SOURCES;
    }
    if (m.sequence("tokenFrom").isEmpty()) {
      m.error("tokenFrom", "must list at least one token source");
    }
    List<TokenSource> out = new ArrayList<>();
    for (MappingReader.StringItem item : items) {
      TokenSource source = tokenSource(item.value());
      if (source == null) {
        reader.error(item.node(), item.field(), TOKEN_SOURCE_SYNTAX + ", got " + NodeReader.quote(item.value()));
      } else if (out.contains(source)) {
        reader.error(item.node(), item.field(), "duplicate token source " + NodeReader.quote(item.value()));
      } else {
        out.add(source);
      }
    }
    return out;
  }

  private static TokenSource tokenSource(String text) {
    if (text.equals("authorization")) {
      return new TokenSource(TokenSource.Kind.AUTHORIZATION, null);
    }
    if (text.equals("subprotocol")) {
      return new TokenSource(TokenSource.Kind.SUBPROTOCOL, null);
    }
    if (text.startsWith("cookie:") && COOKIE_NAME.matcher(text.substring(7)).matches()) {
      return new TokenSource(TokenSource.Kind.COOKIE, text.substring(7));
    }
    if (text.startsWith("query:") && QUERY_NAME.matcher(text.substring(6)).matches()) {
      return new TokenSource(TokenSource.Kind.QUERY, text.substring(6));
    }
    return null;
  }

  /** Distinct, non-empty strings without whitespace; empty when absent. */
  private List<String> words(MappingReader m, String key, String what) {
    List<MappingReader.StringItem> items = m.has(key) ? m.strings(key) : null;
    List<String> out = new ArrayList<>();
    for (MappingReader.StringItem item : items == null ? List.<MappingReader.StringItem>of() : items) {
      if (item.value().isEmpty() || item.value().codePoints().anyMatch(Character::isWhitespace)) {
        reader.error(item.node(), item.field(), "a " + what + " is one non-empty word, got " + NodeReader.quote(item.value()));
      } else if (out.contains(item.value())) {
        reader.error(item.node(), item.field(), "duplicate " + what + " " + NodeReader.quote(item.value()));
      } else {
        out.add(item.value());
      }
    }
    return out;
  }

  /** A name → string map (claim values are compared as strings); empty when absent. */
  private Map<String, String> stringMap(MappingReader m) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String name : m.keys()) {
      if (name.isEmpty()) {
        reader.error(m.keyNode(name), m.field(name), "a claim name must not be empty");
      } else if (!m.has(name)) {
        m.error(name, "expected a string, got nothing");
      } else {
        String value = m.string(name, null);
        if (value != null) {
          out.put(name, value);
        }
      }
    }
    return out;
  }

  private String header(MappingReader m, String key, String dflt) {
    String text = m.string(key, null);
    if (text == null) {
      return dflt;
    }
    String problem = headerProblem(text);
    if (problem != null) {
      m.error(key, problem);
      return dflt;
    }
    return HeaderNames.validate(text);
  }

  private static String headerProblem(String text) {
    if (text.equals(HeaderNames.ALL)) {
      return "expected a header name, got \"*\"";
    }
    try {
      HeaderNames.validate(text);
      return null;
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
  }

  private Map<String, String> forwardClaims(MappingReader m, String subjectHeader) {
    MappingReader claims = m.mapping("forwardClaims", null);
    Map<String, String> raw = stringMap(claims);
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : raw.entrySet()) {
      String problem = headerProblem(e.getValue());
      String header = problem == null ? HeaderNames.validate(e.getValue()) : null;
      if (problem == null && header.equals(subjectHeader)) {
        problem = NodeReader.quote(header) + " already carries the subject (subjectHeader)";
      } else if (problem == null && out.containsValue(header)) {
        problem = "duplicate header " + NodeReader.quote(header);
      }
      if (problem != null) {
        reader.error(claims.position(e.getKey()), claims.field(e.getKey()), problem);
      } else {
        out.put(e.getKey(), header);
      }
    }
    return out;
  }
}
