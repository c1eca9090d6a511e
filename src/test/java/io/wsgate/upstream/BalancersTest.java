package io.wsgate.upstream;

import io.vertx.core.MultiMap;
import io.wsgate.handshake.HandshakeRequest;
import io.wsgate.handshake.Identity;
import io.wsgate.policy.Balancing;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The three strategies and slow start, on members whose state the test sets, at a clock it chooses. */
class BalancersTest {
  private static final long NOW = 1_000_000_000_000L;
  private static final long MINUTE = Duration.ofMinutes(1).toNanos();

  private static UpstreamMember[] members(int n) {
    UpstreamMember[] out = new UpstreamMember[n];
    for (int i = 0; i < n; i++) {
      out[i] = new UpstreamMember("ws://10.0.0." + (i + 1) + ":9000", false, "10.0.0." + (i + 1), 9000, null);
    }
    return out;
  }

  private static HandshakeRequest from(String clientIp, String subject) {
    Identity identity = subject == null ? null
        : new Identity(subject, "idp", Instant.now().plusSeconds(60), Set.of(), List.of(), Map.of());
    return new HandshakeRequest("r", clientIp, clientIp, new byte[4], false, "h", "/chat", null,
        MultiMap.caseInsensitiveMultiMap(), List.of(), null, 0, identity, false, null);
  }

  private static String first(Balancer balancer, HandshakeRequest request) {
    return balancer.order(request, NOW).get(0).label();
  }

  @Test
  void slowStartRampsLinearlyFromATenthToFull() {
    assertEquals(0.1, SlowStart.weight(-5, MINUTE), 1e-9, "still cooling down");
    assertEquals(0.1, SlowStart.weight(0, MINUTE), 1e-9);
    assertEquals(0.55, SlowStart.weight(MINUTE / 2, MINUTE), 1e-9);
    assertEquals(0.91, SlowStart.weight(MINUTE * 9 / 10, MINUTE), 1e-9);
    assertEquals(1.0, SlowStart.weight(MINUTE, MINUTE), 1e-9);
    assertEquals(1.0, SlowStart.weight(0, 0), 1e-9, "no slow start");
    UpstreamMember m = members(1)[0];
    assertEquals(1.0, m.weight(NOW, MINUTE), 1e-9, "a member that never went away is at full weight");
    m.markDown(NOW - MINUTE / 2 - 1000, 1000); // its cool-down ended half a minute ago
    assertEquals(0.55, m.weight(NOW, MINUTE), 1e-6);
  }

  @Test
  void roundRobinTakesTurnsAndSkipsMembersThatAreDown() {
    UpstreamMember[] m = members(3);
    Balancer rr = Balancer.of(Balancing.DEFAULT, m);
    List<String> firsts = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      firsts.add(first(rr, from("10.1.1.1", null)));
    }
    assertEquals(List.of(m[0].label(), m[1].label(), m[2].label(), m[0].label(), m[1].label(), m[2].label()), firsts);
    assertEquals(List.of(m[0], m[1], m[2]), rr.order(from("10.1.1.1", null), NOW), "the rest follow as failover");
    m[1].markDown(NOW, MINUTE);
    for (int i = 0; i < 4; i++) {
      assertNotEquals(m[1].label(), first(rr, from("10.1.1.1", null)));
    }
    assertEquals(2, rr.order(from("10.1.1.1", null), NOW).size(), "a member cooling down is not a candidate");
  }

  @Test
  void roundRobinGivesAMemberInSlowStartItsWeightedShare() {
    UpstreamMember[] m = members(3);
    Balancer rr = Balancer.of(new Balancing(Balancing.Strategy.ROUND_ROBIN, null, null, Duration.ofMinutes(1)), m);
    m[2].markDown(NOW - 1, 1); // came back just now: weight 0.1 against 1 and 1
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 210; i++) {
      counts.merge(first(rr, from("10.1.1.1", null)), 1, Integer::sum);
    }
    assertEquals(10, counts.get(m[2].label()), "0.1 / 2.1 of 210 picks: " + counts);
    assertEquals(100, counts.get(m[0].label()));
    assertEquals(100, counts.get(m[1].label()));
  }

  @Test
  void leastConnectionsPicksTheFewestSessionsAndBreaksTiesRoundRobin() {
    UpstreamMember[] m = members(3);
    Balancer lc = Balancer.of(new Balancing(Balancing.Strategy.LEAST_CONNECTIONS, null, null, Duration.ZERO), m);
    m[0].acquire();
    m[0].acquire();
    m[1].acquire();
    assertEquals(List.of(m[2], m[1], m[0]), lc.order(from("10.1.1.1", null), NOW));
    m[2].acquire();
    // m[1] and m[2] tie at one session each: they take turns.
    String a = first(lc, from("10.1.1.1", null));
    String b = first(lc, from("10.1.1.1", null));
    assertEquals(Set.of(m[1].label(), m[2].label()), Set.of(a, b));
    m[0].release();
    m[0].release();
    assertEquals(m[0].label(), first(lc, from("10.1.1.1", null)));
  }

  @Test
  void leastConnectionsCountsAMemberInSlowStartAsMoreLoaded() {
    UpstreamMember[] m = members(2);
    Balancer lc = Balancer.of(new Balancing(Balancing.Strategy.LEAST_CONNECTIONS, null, null, Duration.ofMinutes(1)), m);
    m[1].markDown(NOW - 1, 1); // weight 0.1: an empty m[1] scores (0+1)/0.1 = 10
    for (int i = 0; i < 9; i++) {
      m[0].acquire();
    }
    assertEquals(m[0].label(), first(lc, from("10.1.1.1", null)), "9 sessions score 10 too; tie starts round-robin");
    m[0].acquire();
    assertEquals(m[1].label(), first(lc, from("10.1.1.1", null)), "11 against 10");
  }

  @Test
  void hashSpreadsKeysAndASubjectAlwaysGetsTheSameMember() {
    UpstreamMember[] m = members(3);
    Balancer hash = Balancer.of(new Balancing(Balancing.Strategy.HASH, Balancing.HashKey.SUBJECT, null, Duration.ZERO), m);
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 3000; i++) {
      String member = first(hash, from("10.1.1.1", "user-" + i));
      assertEquals(member, first(hash, from("10.9.9.9", "user-" + i)), "the subject decides, not the address");
      counts.merge(member, 1, Integer::sum);
    }
    for (UpstreamMember member : m) {
      int n = counts.getOrDefault(member.label(), 0);
      assertTrue(n > 850 && n < 1150, "about a third each: " + counts);
    }
    Balancer byIp = Balancer.of(new Balancing(Balancing.Strategy.HASH, Balancing.HashKey.CLIENT_IP, null, Duration.ZERO), m);
    assertEquals(first(byIp, from("10.1.1.7", "alice")), first(byIp, from("10.1.1.7", "bob")));
    assertEquals(first(byIp, from("10.1.1.7", null)), first(hash, from("10.1.1.7", null)),
        "without a subject, hashOn: subject hashes the client IP");
  }

  @Test
  void aMemberThatLeavesMovesOnlyItsOwnKeysAndTheyReturnWithIt() {
    UpstreamMember[] three = members(3);
    Balancing hashing = new Balancing(Balancing.Strategy.HASH, Balancing.HashKey.SUBJECT, null, Duration.ZERO);
    Balancer before = Balancer.of(hashing, three);
    Balancer removed = Balancer.of(hashing, new UpstreamMember[] {three[0], three[2]});
    int moved = 0;
    List<String> homes = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      HandshakeRequest r = from("10.1.1.1", "user-" + i);
      List<UpstreamMember> order = before.order(r, NOW);
      String was = order.get(0).label();
      homes.add(was);
      String now = first(removed, r);
      if (was.equals(three[1].label())) {
        moved++;
        assertEquals(order.get(1).label(), now, "to its own next member");
      } else {
        assertEquals(was, now, "a key of a member that stayed does not move");
      }
    }
    assertTrue(moved > 250 && moved < 420, moved + " keys were on the removed member");
    three[1].markDown(NOW, MINUTE);
    assertTrue(homes.subList(0, 200).contains(three[1].label()));
    for (int i = 0; i < 200; i++) {
      HandshakeRequest r = from("10.1.1.1", "user-" + i);
      assertEquals(first(removed, r), first(before, r), "a member cooling down is as good as removed");
    }
    three[1].checked(true, NOW);
    for (int i = 0; i < 200; i++) {
      HandshakeRequest r = from("10.1.1.1", "user-" + i);
      assertEquals(homes.get(i), first(before, r), "back home once it is up");
    }
  }

  @Test
  void healthChecksMarkDownAndBackUpEndingACoolDown() {
    UpstreamMember m = members(1)[0];
    assertTrue(m.checked(false, NOW), "up -> down is a transition");
    assertTrue(!m.healthy(NOW) && !m.checked(false, NOW));
    assertTrue(m.checked(true, NOW));
    assertTrue(m.healthy(NOW));
    m.markDown(NOW, MINUTE);
    assertTrue(!m.healthy(NOW + 1));
    assertTrue(m.checked(true, NOW + 1), "a good check ends the passive cool-down at once");
    assertTrue(m.healthy(NOW + 1));
    assertEquals(0.1, m.weight(NOW + 1, MINUTE), 1e-9, "and its slow start begins");
  }
}
