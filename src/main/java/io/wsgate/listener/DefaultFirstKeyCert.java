package io.wsgate.listener;

import io.vertx.core.Vertx;
import io.vertx.core.net.PemKeyCertOptions;

import javax.net.ssl.KeyManagerFactory;

/**
 * The listener's certificates as Vert.x loads them, with one difference: a handshake that SNI does
 * not settle (no SNI, or a name no certificate covers) gets the first certificate of the policy.
 * Vert.x's own default is a key manager over all of them, which picks by key type and keystore
 * order, not policy order. Selection by SNI name is Vert.x's ({@link #keyManagerFactoryMapper}).
 */
final class DefaultFirstKeyCert extends PemKeyCertOptions {
  DefaultFirstKeyCert(PemKeyCertOptions all) {
    super(all);
  }

  @Override
  public DefaultFirstKeyCert copy() {
    return new DefaultFirstKeyCert(this);
  }

  @Override
  public KeyManagerFactory getKeyManagerFactory(Vertx vertx) throws Exception {
    PemKeyCertOptions first = new PemKeyCertOptions();
    if (!getCertPaths().isEmpty()) {
      first.setCertPath(getCertPaths().get(0)).setKeyPath(getKeyPaths().get(0));
    } else {
      first.setCertValue(getCertValues().get(0)).setKeyValue(getKeyValues().get(0));
    }
    return first.getKeyManagerFactory(vertx);
  }
}
