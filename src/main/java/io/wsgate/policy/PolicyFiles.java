package io.wsgate.policy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The files a policy was built from, with their SHA-256, for {@code GET /policy}: the policy file,
 * the TLS certificate, public issuer keys, upstream CA bundles and client certificates, and message
 * schemas. Files that hold secrets (the TLS private key, an upstream client key, HMAC secrets, the
 * admin token, the audit key, a development issuer key, which includes its private part) are never
 * listed: even a hash of a weak secret can be guessed.
 */
public final class PolicyFiles {
  /**
   * One source file.
   *
   * @param field  the policy field that names it ({@code policy} for the policy file itself)
   * @param sha256 hex SHA-256 of its bytes when read; null when it could not be read
   */
  public record Entry(String field, Path path, String sha256) {
  }

  private PolicyFiles() {
  }

  /** Reads and hashes every source file now (blocking). */
  public static List<Entry> of(GatewayPolicy policy) {
    List<Entry> out = new ArrayList<>();
    Path source = policy.source();
    if (source != null) {
      out.add(entry("policy", Files.isDirectory(source) ? source.resolve(PolicyLoader.FILE_NAME) : source));
    }
    for (NamedListener listener : policy.startup().listeners()) {
      Tls tls = listener.listen().tls();
      if (tls != null && !out.stream().anyMatch(e -> tls.cert().equals(e.path()))) {
        out.add(entry(policy.startup().field(listener) + ".tls.cert", tls.cert()));
      }
    }
    for (Issuer issuer : policy.security().issuers()) {
      KeySource keys = issuer.keys();
      if (keys != null && keys.pemFile() != null) {
        out.add(entry("issuers." + issuer.name() + ".keys.pemFile", keys.pemFile()));
      } else if (keys != null && keys.jwkFile() != null && !keys.generateDevKey()) {
        out.add(entry("issuers." + issuer.name() + ".keys.jwkFile", keys.jwkFile()));
      }
    }
    for (int i = 0; i < policy.routes().size(); i++) {
      Route route = policy.routes().get(i);
      if (route.upstreamCa() != null) {
        out.add(entry("routes[" + i + "].upstreamCa", route.upstreamCa()));
      }
      if (route.upstreamTls() != null && route.upstreamTls().cert() != null) {
        out.add(entry("routes[" + i + "].upstreamTls.cert", route.upstreamTls().cert()));
      }
      schemas(out, "routes[" + i + "].messages.toUpstream", route.security().messages().toUpstream());
      schemas(out, "routes[" + i + "].messages.toClient", route.security().messages().toClient());
    }
    return out;
  }

  private static void schemas(List<Entry> out, String field, List<MessageRule> rules) {
    for (int i = 0; i < rules.size(); i++) {
      if (rules.get(i) instanceof MessageRule.Schema schema && schema.file() != null) {
        out.add(entry(field + "[" + i + "].schema", schema.file()));
      }
    }
  }

  private static Entry entry(String field, Path file) {
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
      return new Entry(field, file, HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest()));
    } catch (IOException e) {
      return new Entry(field, file, null);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
