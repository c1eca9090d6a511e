package io.wsgate.listener;

import io.vertx.core.http.ClientAuth;
import io.wsgate.policy.ClientCert;
import io.wsgate.policy.Route;
import io.wsgate.testing.ClientCerts;
import io.wsgate.testing.TestPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** When the listener asks for client certificates, and which issuers it names. */
class ClientCertRequestTest {
  @TempDir
  Path dir;

  @Test
  void noClientCertRouteAsksNothing() {
    List<Route> routes = TestPolicy.create().route("/a", "demo").build().routes();
    assertEquals(ClientCertRequest.NONE, ClientCertRequest.of(routes));
    assertEquals(ClientAuth.NONE, ClientCertRequest.of(routes).clientAuth());
    assertNull(ClientCertRequest.of(routes).trustOptions());
  }

  @Test
  void routesWithClientCertAskAndNameTheUnionOfTheirCasOnce() {
    ClientCerts.Authority a = ClientCerts.authority(dir, "a", "A");
    ClientCerts.Authority b = ClientCerts.authority(dir, "b", "B");
    List<Route> routes = TestPolicy.create()
        .route("/a", "demo").clientCert(a.cert(), ClientCert.IdentityFrom.TOKEN)
        .route("/open", "demo")
        .route("/b", "demo").clientCert(b.cert(), ClientCert.IdentityFrom.CERTIFICATE)
        .route("/a2", "demo").clientCert(a.cert(), ClientCert.IdentityFrom.CERTIFICATE)
        .build().routes();
    ClientCertRequest request = ClientCertRequest.of(routes);
    assertEquals(ClientAuth.REQUEST, request.clientAuth(), "asks, never requires: other routes need none");
    assertEquals(List.of(a.certificate(), b.certificate()), request.authorities());
  }
}
