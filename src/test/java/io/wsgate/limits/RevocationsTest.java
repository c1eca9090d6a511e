package io.wsgate.limits;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RevocationsTest {
  private static final SubjectId CORP_ALICE = new SubjectId("corp", "alice");
  private static final SubjectId PARTNER_ALICE = new SubjectId("partner", "alice");

  @TempDir
  Path dir;

  @Test
  void aFullListRefusesANewRevocationInsteadOfEvictingOne() {
    Revocations revocations = new Revocations(null, 2);
    Instant later = Instant.now().plusSeconds(600);
    assertTrue(revocations.revoke(CORP_ALICE, later));
    assertTrue(revocations.revoke(new SubjectId("corp", "bob"), later));
    assertFalse(revocations.revoke(new SubjectId("corp", "carol"), later), "full: refused");
    assertEquals(1, revocations.refusedTotal());
    assertTrue(revocations.isRevoked(CORP_ALICE), "nobody was evicted to make room");
    assertTrue(revocations.revoke(CORP_ALICE, later.plusSeconds(60)), "renewing one already held needs no room");
  }

  @Test
  void expiredRevocationsMakeRoom() {
    Revocations revocations = new Revocations(null, 1);
    assertTrue(revocations.revoke(CORP_ALICE, Instant.now().minusSeconds(1)));
    assertTrue(revocations.revoke(PARTNER_ALICE, Instant.now().plusSeconds(600)));
    assertFalse(revocations.isRevoked(CORP_ALICE));
  }

  @Test
  void subjectsArePerIssuerUnlessRevokedForEveryIssuer() {
    Revocations revocations = new Revocations();
    revocations.revoke(CORP_ALICE, Instant.now().plusSeconds(600));
    assertTrue(revocations.isRevoked(CORP_ALICE));
    assertFalse(revocations.isRevoked(PARTNER_ALICE));
    revocations.revoke(new SubjectId(SubjectId.ANY_ISSUER, "alice"), Instant.now().plusSeconds(600));
    assertTrue(revocations.isRevoked(PARTNER_ALICE));
    assertTrue(revocations.lift(CORP_ALICE));
    assertNull(revocations.revokedUntil(CORP_ALICE));
    assertTrue(revocations.isRevoked(CORP_ALICE), "still revoked for every issuer");
  }

  @Test
  void theFileKeepsUnexpiredRevocationsAcrossLoads() throws IOException {
    Path file = dir.resolve("revocations.json");
    Revocations first = Revocations.load(file);
    Instant until = Instant.now().plusSeconds(600).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    first.revoke(CORP_ALICE, until);
    first.revoke(PARTNER_ALICE, Instant.now().plusMillis(1));
    first.save();
    Revocations second = Revocations.load(file);
    assertEquals(until, second.revokedUntil(CORP_ALICE));
    assertTrue(second.lift(CORP_ALICE));
    second.save();
    assertFalse(Revocations.load(file).isRevoked(CORP_ALICE));
    assertFalse(Files.exists(file.resolveSibling("revocations.json.tmp")));
  }

  @Test
  void anUnreadableFileStopsTheStartRatherThanForgettingRevocations() throws IOException {
    Path file = Files.writeString(dir.resolve("revocations.json"), "{not json");
    assertThrows(IOException.class, () -> Revocations.load(file));
    Files.writeString(file, "{\"v\":99,\"revocations\":[]}");
    assertThrows(IOException.class, () -> Revocations.load(file));
  }
}
