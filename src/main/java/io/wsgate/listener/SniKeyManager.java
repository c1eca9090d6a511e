package io.wsgate.listener;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509ExtendedKeyManager;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Chooses the listener's certificate for each handshake from the client's SNI name: the first
 * certificate that names it exactly, else the first whose wildcard covers it, else the first of all
 * (the default, also for clients without SNI). One key manager in one TLS context, asked by the JDK
 * engine and by OpenSSL's certificate callback alike.
 *
 * <p>Why not Vert.x's own SNI ({@code setSni(true)}): it keeps a TLS context per SNI name a wildcard
 * certificate covers, in an unbounded map, so random names under a wildcard grow memory at the
 * client's will; its handshake for a connection starts only after the ClientHello, which
 * the accept-to-head deadline ({@link AcceptClock}) could not see; and without SNI its default key
 * manager picks by keystore order, not by the policy's.
 */
final class SniKeyManager extends X509ExtendedKeyManager {
  /** One certificate: its alias is its place in the policy's list. */
  record Entry(X509Certificate[] chain, PrivateKey key, Set<String> names) {
  }

  private final List<Entry> entries;

  SniKeyManager(List<Entry> entries) {
    if (entries.isEmpty()) {
      throw new IllegalArgumentException("at least one certificate");
    }
    this.entries = List.copyOf(entries);
  }

  /** The index of the certificate for {@code serverName} (null: no SNI). */
  int choose(String serverName) {
    if (serverName == null) {
      return 0;
    }
    String name = serverName.toLowerCase(Locale.ROOT);
    for (int i = 0; i < entries.size(); i++) {
      if (entries.get(i).names().contains(name)) {
        return i;
      }
    }
    for (int i = 0; i < entries.size(); i++) {
      for (String certified : entries.get(i).names()) {
        if (certified.startsWith("*.") && CertificateNames.covers(certified, name)) {
          return i;
        }
      }
    }
    return 0;
  }

  /** The SNI host name the client sent in this handshake or session; null without one. */
  static String requestedName(SSLSession session) {
    if (!(session instanceof ExtendedSSLSession extended)) {
      return null;
    }
    for (SNIServerName name : extended.getRequestedServerNames()) {
      if (name instanceof SNIHostName host) {
        return host.getAsciiName();
      }
      if (name.getType() == 0) { // host_name, as a provider that does not build SNIHostName gives it
        return new SNIHostName(name.getEncoded()).getAsciiName();
      }
    }
    return null;
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    int chosen = choose(engine == null ? null : requestedName(engine.getHandshakeSession()));
    return fits(entries.get(chosen).key(), keyType) ? Integer.toString(chosen) : null;
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return fits(entries.get(0).key(), keyType) ? "0" : null;
  }

  /** Whether a key can serve the key type a TLS engine asks for ("EC", "EC_EC", "RSA", "DH_RSA", "RSASSA-PSS", "EdDSA"...). */
  private static boolean fits(PrivateKey key, String keyType) {
    if (keyType == null) {
      return true;
    }
    String type = keyType.toUpperCase(Locale.ROOT);
    return switch (key.getAlgorithm().toUpperCase(Locale.ROOT)) {
      case "EC" -> type.startsWith("EC");
      case "RSA" -> type.contains("RSA") && !type.startsWith("EC");
      case "EDDSA", "ED25519", "ED448" -> type.startsWith("ED");
      default -> type.equalsIgnoreCase(key.getAlgorithm());
    };
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return java.util.stream.IntStream.range(0, entries.size()).filter(i -> fits(entries.get(i).key(), keyType))
        .mapToObj(Integer::toString).toArray(String[]::new);
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    Entry entry = entry(alias);
    return entry == null ? null : entry.chain().clone();
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    Entry entry = entry(alias);
    return entry == null ? null : entry.key();
  }

  private Entry entry(String alias) {
    try {
      int index = Integer.parseInt(alias);
      return index >= 0 && index < entries.size() ? entries.get(index) : null;
    } catch (NumberFormatException | NullPointerException e) {
      return null;
    }
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return null; // a server's key manager: never a client
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return null;
  }
}
