package io.wsgate;

import io.wsgate.demo.DevCertificate;
import io.wsgate.policy.DevIssuerKey;
import io.wsgate.policy.GatewayPolicy;
import io.wsgate.policy.Issuer;
import io.wsgate.policy.Tls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The development files a policy asks the gateway to create when they are missing:
 * {@code listen.tls.devCertificate: true} (a self-signed certificate and its key) and
 * {@code issuers.*.keys.generateDevKey: true} (an EC P-256 issuer key). The loader never writes
 * them; {@code run} (and a reload, for issuer keys) {@linkplain #generate generates} them, and
 * {@code policy check} only {@linkplain #missing reports} what would be generated.
 */
public final class DevMaterial {
  private static final Logger LOG = LoggerFactory.getLogger(DevMaterial.class);

  /** One file that would be generated, and the policy field that asks for it. */
  public record Pending(String field, Path file) {
    @Override
    public String toString() {
      return field + ": would generate " + file;
    }
  }

  private DevMaterial() {
  }

  /** What {@link #generate} would write now; writes nothing. */
  public static List<Pending> missing(GatewayPolicy policy) {
    List<Pending> out = new ArrayList<>();
    for (io.wsgate.policy.NamedListener listener : policy.startup().listeners()) {
      Tls tls = listener.listen().tls();
      if (tls != null && tls.devCertificate() && !Files.exists(tls.cert()) && !Files.exists(tls.key())) {
        String field = policy.startup().field(listener) + ".tls";
        out.add(new Pending(field + ".cert", tls.cert()));
        out.add(new Pending(field + ".key", tls.key()));
      }
    }
    for (Issuer issuer : policy.security().issuers()) {
      Path key = devKey(issuer);
      if (key != null && !Files.exists(key)) {
        out.add(new Pending("issuers." + issuer.name() + ".keys.jwkFile", key));
      }
    }
    return out;
  }

  /**
   * Generates every missing file the policy asks for, loudly. Blocking (file I/O).
   *
   * @throws IllegalStateException naming the file when one cannot be written
   */
  public static void generate(GatewayPolicy policy) {
    for (io.wsgate.policy.NamedListener listener : policy.startup().listeners()) {
      Tls tls = listener.listen().tls();
      if (tls == null || !tls.devCertificate()) {
        continue;
      }
      if (DevCertificate.ensure(tls.cert(), tls.key())) {
        LOG.warn("Generated a self-signed DEVELOPMENT certificate at {}: browsers will warn, never use it in production",
            tls.cert());
      }
      LOG.warn("Serving the DEVELOPMENT certificate {} (SHA-256 {})", tls.cert(),
          DevCertificate.fingerprintSha256(tls.cert()));
    }
    generateIssuerKeys(policy);
  }

  /** The issuer keys alone: what a reload and {@code dev-token} need. Blocking. */
  public static void generateIssuerKeys(GatewayPolicy policy) {
    for (Issuer issuer : policy.security().issuers()) {
      Path key = devKey(issuer);
      if (key == null) {
        continue;
      }
      try {
        if (DevIssuerKey.ensure(key)) {
          LOG.warn("Generated a DEVELOPMENT token signing key for issuer {} at {}: never use it in production",
              issuer.name(), key);
        }
      } catch (java.io.UncheckedIOException e) {
        throw new IllegalStateException("issuers." + issuer.name() + ".keys.jwkFile: cannot generate the development"
            + " key: " + e.getCause().getMessage());
      }
    }
  }

  private static Path devKey(Issuer issuer) {
    return issuer.keys() != null && issuer.keys().generateDevKey() ? issuer.keys().jwkFile() : null;
  }
}
