package io.wsgate.policy;

import io.wsgate.listener.KeyPairCheck;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SNIHostName;

/**
 * Reads a route's {@code upstreamTls:} ({@code ca}, {@code cert} + {@code key}, {@code serverName}),
 * or its short form {@code upstreamCa:}. The files are checked now: the CA bundle must hold
 * certificates and the key must belong to the certificate ({@link KeyPairCheck}); problems never
 * quote the files.
 */
final class UpstreamTlsSection {
  static final List<String> KEYS = List.of("ca", "cert", "key", "serverName");

  private final PolicyPaths paths;

  UpstreamTlsSection(PolicyPaths paths) {
    this.paths = paths;
  }

  /** @return null when the route sets neither key */
  UpstreamTls read(MappingReader route, List<UpstreamTarget> upstreams) {
    if (route.has("upstreamCa") && route.has("upstreamTls")) {
      route.error("upstreamCa", "conflicts with upstreamTls (write the CA as upstreamTls.ca)");
      return null;
    }
    if (route.has("upstreamCa")) {
      Path ca = paths.resolve(route, "upstreamCa");
      if (ca != null) {
        checkCa(route, "upstreamCa", ca);
      }
      return UpstreamTls.caOnly(ca);
    }
    if (!route.has("upstreamTls")) {
      return null;
    }
    MappingReader tls = route.mapping("upstreamTls", KEYS);
    if (tls.malformed()) {
      return null;
    }
    if (tls.keys().isEmpty()) {
      route.error("upstreamTls", "must set ca, cert and key, or serverName (leave upstreamTls out for the defaults)");
    }
    if (!upstreams.isEmpty() && upstreams.stream().noneMatch(UpstreamTarget::tls)) {
      route.error("upstreamTls", "applies to wss:// upstreams only, and this route has none");
    }
    Path ca = paths.resolve(tls, "ca");
    if (ca != null) {
      checkCa(tls, "ca", ca);
    }
    Path cert = paths.resolve(tls, "cert");
    Path key = paths.resolve(tls, "key");
    if (tls.has("cert") && !tls.has("key")) {
      tls.error("cert", "needs key too (the client certificate's private key)");
    } else if (tls.has("key") && !tls.has("cert")) {
      tls.error("key", "needs cert too (the client certificate the key belongs to)");
    } else if (cert != null && key != null) {
      checkPair(tls, cert, key);
    }
    return new UpstreamTls(ca, cert, key, serverName(tls));
  }

  private static void checkCa(MappingReader m, String field, Path ca) {
    if (!PolicyPaths.checkReadable(m, field, ca)) {
      return;
    }
    try {
      byte[] pem = Files.readAllBytes(ca);
      if (CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem)).isEmpty()) {
        m.error(field, "no PEM certificate in " + ca);
      }
    } catch (IOException e) {
      m.error(field, "file not readable: " + ca);
    } catch (GeneralSecurityException e) {
      m.error(field, "no PEM certificate in " + ca); // the parser's message may quote the file
    }
  }

  private static void checkPair(MappingReader tls, Path cert, Path key) {
    boolean certReadable = PolicyPaths.checkReadable(tls, "cert", cert);
    if (!PolicyPaths.checkReadable(tls, "key", key) || !certReadable) {
      return;
    }
    Optional<String> problem;
    try {
      problem = KeyPairCheck.problem(Files.readAllBytes(cert), Files.readAllBytes(key));
    } catch (IOException e) {
      problem = Optional.of("the files could not be read");
    }
    problem.ifPresent(p -> tls.error("key", p + " (cert: " + cert + ")"));
  }

  /** A DNS name, lower-cased; null when absent or invalid (reported). */
  private static String serverName(MappingReader tls) {
    String text = tls.string("serverName", null);
    if (text == null) {
      return null;
    }
    String quoted = NodeReader.quote(text);
    if (text.startsWith("*")) {
      tls.error("serverName", "must be one DNS name, not a wildcard, got " + quoted);
      return null;
    }
    HostPattern name;
    try {
      name = HostPattern.parse(text);
    } catch (IllegalArgumentException e) {
      tls.error("serverName", "must be a DNS name: " + e.getMessage().replace(" (leave host out to match any host)", ""));
      return null;
    }
    try {
      new SNIHostName(name.name());
    } catch (IllegalArgumentException e) {
      tls.error("serverName", "must be a DNS name: not a name SNI can carry, got " + quoted);
      return null;
    }
    String last = name.name().substring(name.name().lastIndexOf('.') + 1);
    if (last.chars().allMatch(Character::isDigit)) {
      tls.error("serverName", "must be a DNS name, not an IP address, got " + quoted
          + " (leave serverName out to verify the member URL's address)");
      return null;
    }
    return name.name();
  }
}
