package io.wsgate.policy;

import com.nimbusds.jose.jwk.JWK;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Reads the top-level {@code issuers:} mapping (name → trusted token issuer) and checks their keys. */
final class IssuersSection {
  static final List<String> KEYS =
      List.of("issuer", "audiences", "algorithms", "keys", "clockSkew", "maxTokenBytes", "requiredClaims");
  static final List<String> KEY_SOURCE_KEYS = List.of("jwksUrl", "refresh", "minRefetch", "fetchTimeout", "jwkFile",
      "generateDevKey", "pemFile", "hmacSecretFile", "hmacSecretEnv");
  static final List<String> SOURCES = List.of("jwksUrl", "jwkFile", "pemFile", "hmacSecretFile", "hmacSecretEnv");
  static final List<String> ALGORITHMS = SigningAlgorithm.NAMES;
  static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private final NodeReader reader;
  private final PolicyPaths paths;
  private final Function<String, String> env;

  IssuersSection(NodeReader reader, PolicyPaths paths, Function<String, String> env) {
    this.reader = reader;
    this.paths = paths;
    this.env = env;
  }

  /** The issuers in file order; each is returned even when it has errors, so routes can still name it. */
  List<Issuer> read(MappingReader top) {
    if (!top.has("issuers")) {
      return List.of();
    }
    MappingReader all = top.mapping("issuers", null);
    List<Issuer> issuers = new ArrayList<>();
    Map<String, String> byIss = new HashMap<>();
    for (String name : all.keys()) {
      if (!NAME.matcher(name).matches()) {
        reader.error(all.keyNode(name), all.field(name),
            "invalid issuer name " + NodeReader.quote(name) + " (letters, digits, '.', '_' and '-', at most 64)");
      }
      if (!all.has(name)) {
        all.error(name, "expected a mapping, got nothing");
        issuers.add(new Issuer(name, null, List.of(), Set.of(), null, Issuer.DEFAULT_CLOCK_SKEW, Issuer.DEFAULT_MAX_TOKEN_BYTES,
            Issuer.ALWAYS_REQUIRED_CLAIMS));
        continue;
      }
      MappingReader m = all.mapping(name, KEYS);
      Issuer issuer = issuer(name, m);
      if (issuer.issuer() != null) {
        String first = byIss.putIfAbsent(issuer.issuer(), name);
        if (first != null) {
          m.error("issuer", "same iss as issuers." + first + " (each issuer needs its own iss value)");
        }
      }
      issuers.add(issuer);
    }
    return issuers;
  }

  private Issuer issuer(String name, MappingReader m) {
    m.requireKey("issuer", "required (the exact iss claim value)");
    String iss = m.string("issuer", null);
    if (iss != null && iss.isBlank()) {
      m.error("issuer", "must not be empty");
      iss = null;
    }
    m.requireKey("audiences", "required (the aud values this gateway accepts)");
    List<String> audiences = names(m, "audiences", "audience", true);
    m.requireKey("algorithms", "required (e.g. [ES256] or [RS256])");
    List<MappingReader.StringItem> algorithms = algorithms(m);
    m.requireKey("keys", "required (one of: " + String.join(", ", SOURCES) + ")");
    KeySource keys = m.has("keys") ? keys(m.mapping("keys", KEY_SOURCE_KEYS), algorithms) : null;
    Duration clockSkew = m.duration("clockSkew", Issuer.DEFAULT_CLOCK_SKEW);
    if (clockSkew.compareTo(MAX_CLOCK_SKEW) > 0) {
      m.error("clockSkew", "must be at most " + Units.format(MAX_CLOCK_SKEW) + ", got " + Units.format(clockSkew));
      clockSkew = Issuer.DEFAULT_CLOCK_SKEW;
    }
    int maxTokenBytes = m.size("maxTokenBytes", Issuer.DEFAULT_MAX_TOKEN_BYTES, 512, 65536);
    LinkedHashSet<String> required = new LinkedHashSet<>(Issuer.ALWAYS_REQUIRED_CLAIMS);
    if (m.has("requiredClaims")) {
      required.addAll(names(m, "requiredClaims", "claim", false));
    }
    Set<String> algorithmNames = algorithms.stream().map(MappingReader.StringItem::value)
        .collect(Collectors.toCollection(LinkedHashSet::new));
    return new Issuer(name, iss, audiences, algorithmNames, keys, clockSkew, maxTokenBytes, List.copyOf(required));
  }

  /** Non-empty, distinct strings; with {@code nonEmpty} the list must have at least one. */
  private List<String> names(MappingReader m, String key, String what, boolean nonEmpty) {
    List<MappingReader.StringItem> items = m.strings(key);
    if (items == null) {
      return List.of();
    }
    if (nonEmpty && m.sequence(key).isEmpty()) {
      m.error(key, "must list at least one " + what);
    }
    List<String> out = new ArrayList<>();
    for (MappingReader.StringItem item : items) {
      if (item.value().isBlank()) {
        reader.error(item.node(), item.field(), "must not be empty");
      } else if (out.contains(item.value())) {
        reader.error(item.node(), item.field(), "duplicate " + what + " " + NodeReader.quote(item.value()));
      } else {
        out.add(item.value());
      }
    }
    return out;
  }

  /** The valid, distinct algorithm entries. */
  private List<MappingReader.StringItem> algorithms(MappingReader m) {
    List<MappingReader.StringItem> items = m.strings("algorithms");
    if (items == null) {
      return List.of();
    }
    if (m.sequence("algorithms").isEmpty()) {
      m.error("algorithms", "must list at least one algorithm");
    }
    List<MappingReader.StringItem> out = new ArrayList<>();
    for (MappingReader.StringItem item : items) {
      String alg = item.value();
      if (alg.equalsIgnoreCase("none")) {
        reader.error(item.node(), item.field(), "\"" + alg + "\" is never accepted (an unsigned token proves nothing)");
      } else if (!ALGORITHMS.contains(alg)) {
        String hint = ALGORITHMS.stream().filter(a -> a.equalsIgnoreCase(alg)).findFirst()
            .map(a -> " (did you mean " + a + "?)").orElse(" (expected one of: " + String.join(", ", ALGORITHMS) + ")");
        reader.error(item.node(), item.field(), "unknown algorithm " + NodeReader.quote(alg) + hint);
      } else if (out.stream().anyMatch(o -> o.value().equals(alg))) {
        reader.error(item.node(), item.field(), "duplicate algorithm " + NodeReader.quote(alg));
      } else {
        out.add(item);
      }
    }
    return out;
  }

  private KeySource keys(MappingReader k, List<MappingReader.StringItem> algorithms) {
    List<String> present = SOURCES.stream().filter(k::present).toList();
    if (present.isEmpty()) {
      if (!k.malformed()) {
        reader.error(k.anchor(), k.path(), "needs exactly one of: " + String.join(", ", SOURCES));
      }
      return null;
    }
    String source = present.get(0);
    for (String other : present.subList(1, present.size())) {
      k.error(other, "conflicts with " + source + " (an issuer has exactly one key source)");
    }
    if (!source.equals("jwksUrl")) {
      for (String key : List.of("refresh", "minRefetch", "fetchTimeout")) {
        if (k.present(key)) {
          k.error(key, "only applies to jwksUrl");
        }
      }
    }
    if (!source.equals("jwkFile") && k.present("generateDevKey")) {
      k.error("generateDevKey", "only applies to jwkFile");
    }
    boolean hmac = source.startsWith("hmac");
    for (MappingReader.StringItem alg : algorithms) {
      boolean hs = alg.value().startsWith("HS");
      if (hs && !hmac) {
        reader.error(alg.node(), alg.field(), alg.value() + " needs an HMAC key source (hmacSecretFile or hmacSecretEnv),"
            + " not " + source);
      } else if (!hs && hmac) {
        reader.error(alg.node(), alg.field(), alg.value() + " needs a public-key source (jwksUrl, jwkFile or pemFile),"
            + " not " + source);
      }
    }
    List<String> algs = algorithms.stream().map(MappingReader.StringItem::value)
        .filter(a -> a.startsWith("HS") == hmac).toList();
    return switch (source) {
      case "jwksUrl" -> new KeySource(jwksUrl(k), k.positiveDuration("refresh", KeySource.DEFAULT_REFRESH),
          k.positiveDuration("minRefetch", KeySource.DEFAULT_MIN_REFETCH), fetchTimeout(k), null, null, null, null);
      case "jwkFile" -> new KeySource(null, null, null, null, keyFile(k, "jwkFile", algs),
          k.bool("generateDevKey", false), null, null, null);
      case "pemFile" -> new KeySource(null, null, null, null, keyFile(k, "pemFile", algs), null, null);
      case "hmacSecretFile" -> new KeySource(null, null, null, null, null, hmacFile(k, algs), null);
      default -> new KeySource(null, null, null, null, null, null, hmacEnv(k, algs));
    };
  }

  private static Duration fetchTimeout(MappingReader k) {
    Duration d = k.positiveDuration("fetchTimeout", KeySource.DEFAULT_FETCH_TIMEOUT);
    if (d.compareTo(KeySource.MAX_FETCH_TIMEOUT) > 0) {
      k.error("fetchTimeout", "must be at most " + Units.format(KeySource.MAX_FETCH_TIMEOUT) + ", got " + Units.format(d));
      return KeySource.DEFAULT_FETCH_TIMEOUT;
    }
    return d;
  }

  private static URI jwksUrl(MappingReader k) {
    String text = k.string("jwksUrl", null);
    if (text == null) {
      return null;
    }
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      k.error("jwksUrl", "invalid URL " + NodeReader.quote(text) + ": " + e.getReason());
      return null;
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    String problem = uri.isOpaque() || uri.getHost() == null ? "expected https://host[:port]/path, got " + NodeReader.quote(text)
        : uri.getRawUserInfo() != null ? "user info is not allowed in jwksUrl"
        : uri.getRawFragment() != null ? "a fragment is not allowed in jwksUrl"
        : scheme.equals("https") || (scheme.equals("http") && AdminSettings.isLoopback(uri.getHost())) ? null
        : "must be https (http only to a loopback host), got " + NodeReader.quote(text);
    if (problem != null) {
      k.error("jwksUrl", problem);
      return null;
    }
    return uri;
  }

  /**
   * Checks a jwkFile / pemFile. With {@code generateDevKey: true} a missing jwkFile is fine: the
   * gateway generates it when it starts (the loader writes nothing), and it must then hold an ES256 key.
   */
  private Path keyFile(MappingReader k, String key, List<String> algorithms) {
    Path file = paths.resolve(k, key);
    boolean generate = key.equals("jwkFile") && k.bool("generateDevKey", false);
    if (file == null) {
      return null;
    }
    if (generate && !Files.exists(file)) {
      List<String> other = algorithms.stream().filter(a -> !a.equals(DevIssuerKey.ALGORITHM.name())).toList();
      if (!other.isEmpty()) {
        k.error(key, "no key can verify " + String.join(", ", other) + " (" + file + " is missing; generateDevKey"
            + " would create an " + DevIssuerKey.ALGORITHM + " key)");
      }
      return file;
    }
    if (!PolicyPaths.checkReadable(k, key, file)) {
      return file;
    }
    List<JWK> keys;
    try {
      keys = key.equals("jwkFile") ? KeyFiles.jwkFile(file) : KeyFiles.pemFile(file);
    } catch (IllegalArgumentException e) {
      k.error(key, e.getMessage());
      return file;
    }
    List<String> unverifiable = algorithms.stream()
        .filter(alg -> keys.stream().noneMatch(jwk -> KeyFiles.canVerify(jwk, alg))).toList();
    if (!unverifiable.isEmpty()) {
      k.error(key, "no key can verify " + String.join(", ", unverifiable) + " (" + file + " holds: "
          + keys.stream().map(KeyFiles::describe).collect(Collectors.joining(", ")) + ")");
    }
    return file;
  }

  private Path hmacFile(MappingReader k, List<String> algorithms) {
    Path file = paths.resolve(k, "hmacSecretFile");
    if (file == null || !PolicyPaths.checkReadable(k, "hmacSecretFile", file)) {
      return file;
    }
    checkSecret(k, "hmacSecretFile", new KeySource(null, null, null, null, null, file, null), algorithms,
        "the secret in " + file);
    return file;
  }

  private String hmacEnv(MappingReader k, List<String> algorithms) {
    String name = k.string("hmacSecretEnv", null);
    if (name == null) {
      return null;
    }
    if (!ENV_NAME.matcher(name).matches()) {
      k.error("hmacSecretEnv", "invalid environment variable name " + NodeReader.quote(name));
      return null;
    }
    checkSecret(k, "hmacSecretEnv", new KeySource(null, null, null, null, null, null, name), algorithms,
        "environment variable " + name);
    return name;
  }

  /** Reads the secret only to measure it; the message names where it is, never what it is. */
  private void checkSecret(MappingReader k, String key, KeySource source, List<String> algorithms, String what) {
    byte[] secret;
    try {
      secret = HmacSecrets.read(source, env);
    } catch (IllegalStateException e) {
      k.error(key, e.getMessage());
      return;
    }
    int length = secret.length;
    Arrays.fill(secret, (byte) 0);
    String strictest = "HS256";
    for (String alg : algorithms) {
      if (HmacSecrets.minBytes(alg) > HmacSecrets.minBytes(strictest)) {
        strictest = alg;
      }
    }
    int min = HmacSecrets.minBytes(strictest);
    if (length == 0) {
      k.error(key, what + " is empty");
    } else if (length < min) {
      k.error(key, what + " is " + length + " bytes, too short: " + strictest + " needs at least " + min + " bytes");
    }
  }

  /** Where a route's {@code issuers: [name]} entry points when the name is not defined. */
  static String unknown(String name, List<Issuer> issuers) {
    return "unknown issuer " + NodeReader.quote(name) + (issuers.isEmpty() ? " (no issuers are defined)"
        : " (defined: " + issuers.stream().map(Issuer::name).collect(Collectors.joining(", ")) + ")");
  }
}
