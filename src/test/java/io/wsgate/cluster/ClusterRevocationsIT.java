package io.wsgate.cluster;

import io.wsgate.limits.SubjectId;
import io.wsgate.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.wsgate.cluster.ClusterStores.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Revocations shared through a real redis-server: pushed to other nodes, lifted, fetched after a lost feed. */
class ClusterRevocationsIT {
  private static final SubjectId ALICE = new SubjectId("corp", "alice");
  private ClusterStores fleet;

  @BeforeEach
  void start() throws Exception {
    fleet = new ClusterStores();
  }

  @AfterEach
  void close() throws Exception {
    fleet.close();
  }

  @Test
  void aRevocationOnOneNodeReachesAnotherWithinASecondAndALiftToo() throws Exception {
    Node a = node("gw-a");
    Node b = node("gw-b");
    Instant until = Instant.now().plus(Duration.ofMinutes(10));

    long sent = System.nanoTime();
    assertTrue(get(a.revocations.revoke(ALICE, until)));
    Await.until("gw-b told of the revocation", Duration.ofSeconds(1), () -> b.events.contains("revoked " + ALICE));
    long tookMillis = (System.nanoTime() - sent) / 1_000_000;
    assertTrue(b.revocations.isRevoked(ALICE));
    assertEquals(until.toEpochMilli(), b.revocations.revokedUntil(ALICE).toEpochMilli());
    assertFalse(b.revocations.isRevoked(new SubjectId("other-issuer", "alice")), "subjects are per issuer");
    assertTrue(tookMillis < 1000, "took " + tookMillis + " ms");

    assertTrue(get(b.revocations.lift(ALICE)), "there was a live revocation to lift");
    Await.until("gw-a told of the lift", Duration.ofSeconds(1), () -> a.events.contains("lifted " + ALICE));
    assertFalse(a.revocations.isRevoked(ALICE));
    assertFalse(get(a.revocations.lift(ALICE)), "nothing left to lift");
  }

  @Test
  void aRevocationForEveryIssuerCoversEachIssuersSubject() throws Exception {
    Node a = node("gw-a");
    Node b = node("gw-b");
    get(a.revocations.revoke(new SubjectId(SubjectId.ANY_ISSUER, "mallory"), Instant.now().plusSeconds(60)));
    Await.until("gw-b told", Duration.ofSeconds(1), () -> b.revocations.isRevoked(new SubjectId("corp", "mallory")));
    assertTrue(b.revocations.isRevoked(new SubjectId("partner", "mallory")));
  }

  @Test
  void aNodeStartedLaterFetchesWhatWasRevokedAndIgnoresAndRemovesWhatIsPast() throws Exception {
    Node a = node("gw-a");
    get(a.revocations.revoke(ALICE, Instant.now().plusSeconds(60)));
    String pastField = "corp\u001fbob";
    fleet.redis.cli("HSET", "wsgate:revocations", pastField, Long.toString(Instant.now().minusSeconds(5).toEpochMilli()));

    Node c = node("gw-c");
    assertTrue(c.revocations.isRevoked(ALICE), "fetched at start");
    assertFalse(c.revocations.isRevoked(new SubjectId("corp", "bob")), "a past revocation counts for nothing");
    Await.until("the past entry removed from Redis", () -> cli("HEXISTS", "wsgate:revocations", pastField).equals("0"));
  }

  @Test
  void aSubscriberWhosePubSubConnectionWasCutFetchesWhatItMissed() throws Exception {
    Node b = node("gw-b");
    long fetchesBefore = b.revocations.fetches();
    // A change b cannot hear (written without an announcement), as one published while b's feed was down.
    long until = Instant.now().plusSeconds(60).toEpochMilli();
    fleet.redis.cli("HSET", "wsgate:revocations", ALICE.key(), Long.toString(until));
    assertFalse(b.revocations.isRevoked(ALICE));

    assertEquals("1", fleet.redis.cli("CLIENT", "KILL", "TYPE", "pubsub"));
    Await.until("gw-b re-subscribed and fetched the revocations", Duration.ofSeconds(5),
        () -> b.revocations.fetches() > fetchesBefore && b.revocations.feedUp());
    assertTrue(b.revocations.isRevoked(ALICE));
    assertTrue(b.events.contains("revoked " + ALICE), "the listener is told of what the fetch found: " + b.events);

    Node a = node("gw-a");
    get(a.revocations.lift(ALICE));
    Await.until("the new subscription hears announcements", Duration.ofSeconds(1), () -> !b.revocations.isRevoked(ALICE));
  }

  @Test
  void theFeedRecoversAfterRedisHungLongerThanItsPings() throws Exception {
    Node b = node("gw-b");
    long fetchesBefore = b.revocations.fetches();
    fleet.redis.freeze();
    try {
      Await.until("gw-b notices the feed is gone", Duration.ofSeconds(8), () -> !b.revocations.feedUp());
    } finally {
      fleet.redis.thaw();
    }
    Await.until("gw-b's feed is back", Duration.ofSeconds(10),
        () -> b.revocations.feedUp() && b.revocations.fetches() > fetchesBefore);
    Node a = node("gw-a");
    get(a.revocations.revoke(ALICE, Instant.now().plusSeconds(60)));
    Await.until("gw-b hears announcements again", Duration.ofSeconds(1), () -> b.revocations.isRevoked(ALICE));
  }

  @Test
  void aFullListRefusesNewRevocationsButNotChangesToExistingOnes() throws Exception {
    RedisStore store = fleet.node("gw-a");
    ClusterRevocations small = fleet.closeLater(ClusterRevocations.start(store, new Recorder(), 2));
    Await.until("feed up", small::feedUp);
    assertTrue(get(small.revoke(new SubjectId("corp", "a"), Instant.now().plusSeconds(60))));
    assertTrue(get(small.revoke(new SubjectId("corp", "b"), Instant.now().plusSeconds(60))));
    assertFalse(get(small.revoke(new SubjectId("corp", "c"), Instant.now().plusSeconds(60))));
    assertTrue(get(small.revoke(new SubjectId("corp", "a"), Instant.now().plusSeconds(120))));
    assertFalse(small.isRevoked(new SubjectId("corp", "c")));
  }

  @Test
  void aRedisRestartedEmptyGetsTheListBackFromTheNodesThatKnowIt() throws Exception {
    Node a = node("gw-a");
    Instant until = Instant.now().plusSeconds(120).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    assertTrue(get(a.revocations.revoke(ALICE, until)));
    String before = a.revocations.epoch();

    fleet.redis.stop();
    fleet.redis.restart(); // nothing was saved: the hash and its epoch are gone
    Await.until("gw-a re-published what it knew under a new epoch", Duration.ofSeconds(10),
        () -> a.revocations.epoch() != null && !a.revocations.epoch().equals(before)
            && cli("HEXISTS", "wsgate:revocations", ALICE.key()).equals("1"));
    assertFalse(a.events.contains("lifted " + ALICE), "a lost list is not a lift: " + a.events);
    assertTrue(a.revocations.isRevoked(ALICE));

    Node b = node("gw-b");
    assertTrue(b.revocations.isRevoked(ALICE), "a node started afterwards fetches it");
    assertEquals(until, b.revocations.revokedUntil(ALICE));
  }

  @Test
  void aNodesOwnCopyIsRepublishedOnlyWhenItPredatesTheStoresEpoch() throws Exception {
    Node a = node("gw-a");
    String epoch = a.revocations.epoch();
    assertTrue(epoch != null && !epoch.isEmpty());
    SubjectId bob = new SubjectId("corp", "bob");
    SubjectId carol = new SubjectId("corp", "carol");
    Instant until = Instant.now().plusSeconds(60);

    // Synced with this very list: bob's absence means he was lifted while the node was away.
    Recorder same = new Recorder();
    ClusterRevocations current = fleet.closeLater(ClusterRevocations.start(fleet.node("gw-b"), same, 100,
        () -> new ClusterRevocations.Seed(epoch, java.util.Map.of(bob, until))));
    Await.until("gw-b synced", () -> !same.synced.isEmpty());
    assertFalse(current.isRevoked(bob));
    assertEquals("0", cli("HEXISTS", "wsgate:revocations", bob.key()));
    assertEquals(java.util.Map.of(), same.synced.get(0));

    // Synced with a list the store no longer holds: carol is revoked again, for everyone.
    Recorder stale = new Recorder();
    ClusterRevocations older = fleet.closeLater(ClusterRevocations.start(fleet.node("gw-c"), stale, 100,
        () -> new ClusterRevocations.Seed("an-older-epoch", java.util.Map.of(carol, until))));
    Await.until("gw-c synced", () -> !stale.synced.isEmpty());
    assertTrue(older.isRevoked(carol));
    Await.until("gw-a hears carol's revocation", Duration.ofSeconds(1), () -> a.revocations.isRevoked(carol));
    assertEquals(epoch, older.epoch(), "the store's epoch is kept");
  }

  private String cli(String... args) {
    try {
      return fleet.redis.cli(args);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private Node node(String nodeId) {
    RedisStore store = fleet.node(nodeId);
    Recorder recorder = new Recorder();
    ClusterRevocations revocations = fleet.closeLater(ClusterRevocations.start(store, recorder));
    Await.until(nodeId + " revocation feed up", revocations::feedUp);
    return new Node(revocations, recorder.events);
  }

  private record Node(ClusterRevocations revocations, List<String> events) {
  }

  private static final class Recorder implements ClusterRevocations.Listener {
    final List<String> events = new CopyOnWriteArrayList<>();
    final List<java.util.Map<SubjectId, Instant>> synced = new CopyOnWriteArrayList<>();

    @Override
    public void synced(String epoch, java.util.Map<SubjectId, Instant> all) {
      synced.add(all);
    }

    @Override
    public void revoked(SubjectId id, Instant until) {
      events.add("revoked " + id);
    }

    @Override
    public void lifted(SubjectId id) {
      events.add("lifted " + id);
    }
  }
}
