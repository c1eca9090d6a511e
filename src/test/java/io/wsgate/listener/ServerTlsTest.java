package io.wsgate.listener;

import io.vertx.core.Vertx;
import io.wsgate.policy.Tls;
import io.wsgate.testing.Await;
import io.wsgate.testing.NamedCerts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What {@code policy check}, start and reload say about a listener's certificate list. */
class ServerTlsTest {
  private final Vertx vertx = Vertx.vertx();

  @TempDir
  Path dir;

  @AfterEach
  void close() {
    Await.result(vertx.close());
  }

  @Test
  void certificatesForDistinctNamesAreServable() {
    Tls tls = new Tls(List.of(NamedCerts.create(dir, "a", "a.test"), NamedCerts.create(dir, "c", "*.c.test", "c.test")),
        false, Tls.Engine.JDK);
    assertEquals(Optional.empty(), ServerTls.problem(vertx, tls));
  }

  @Test
  void twoCertificatesNamingTheSameHostAreRefused() {
    Tls.Pair first = NamedCerts.create(dir, "a", "a.test", "www.a.test");
    Tls.Pair second = NamedCerts.create(dir, "other", "other.test", "WWW.A.test");
    assertEquals(Optional.of(first.cert() + " and " + second.cert() + " both name www.a.test: list each name in one"
        + " certificate only"), ServerTls.problem(vertx, new Tls(List.of(first, second), false, Tls.Engine.JDK)));
  }

  @Test
  void aPairWhoseKeyIsAnotherCertificatesIsRefusedNamingItsFiles() {
    Tls.Pair a = NamedCerts.create(dir, "a", "a.test");
    Tls.Pair b = NamedCerts.create(dir, "b", "b.test");
    Optional<String> problem = ServerTls.problem(vertx, new Tls(List.of(a, new Tls.Pair(b.cert(), a.key())), false,
        Tls.Engine.JDK));
    assertEquals(Optional.of(b.cert() + " / " + a.key() + ": the private key does not match the certificate"
        + " (CN=b.test, EC public key; private key: EC)"), problem);
  }
}
