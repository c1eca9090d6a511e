package io.wsgate.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevIssuerKeyTest {
  @TempDir
  Path dir;

  @Test
  void generatesAnOwnerOnlyEcP256KeySetOnce() throws Exception {
    Path file = dir.resolve("certs-dev/dev-issuer.jwk.json");
    assertTrue(DevIssuerKey.ensure(file));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    try (var siblings = Files.list(file.getParent())) {
      assertEquals(1, siblings.count(), "no temporary file is left behind");
    }

    JWKSet set = JWKSet.load(file.toFile());
    assertEquals(1, set.getKeys().size());
    ECKey key = set.getKeyByKeyId(DevIssuerKey.KEY_ID).toECKey();
    assertEquals(Curve.P_256, key.getCurve());
    assertEquals(JWSAlgorithm.ES256, key.getAlgorithm());
    assertEquals(KeyUse.SIGNATURE, key.getKeyUse());
    assertTrue(key.isPrivate(), "dev-token signs with it");

    // the private part signs, the public part verifies
    JWSObject jws = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("dev-1").build(), new Payload("hi"));
    jws.sign(new ECDSASigner(key));
    assertTrue(JWSObject.parse(jws.serialize()).verify(new ECDSAVerifier(key.toPublicJWK())));

    String content = Files.readString(file);
    assertFalse(DevIssuerKey.ensure(file), "an existing key is kept");
    assertEquals(content, Files.readString(file));
  }
}
