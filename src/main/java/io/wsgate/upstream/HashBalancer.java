package io.wsgate.upstream;

import io.wsgate.handshake.HandshakeRequest;
import io.wsgate.policy.Balancing;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code balance: hash}: each subject (per issuer) or client IP has its own order of the members
 * ({@link RendezvousHash}); the healthy ones are tried in that order. A session without a subject
 * (an auth guard in monitor mode let it in without a token) is hashed on its client IP.
 */
final class HashBalancer implements Balancer {
  private final UpstreamMember[] members;
  private final long[] memberHashes;
  private final Balancing.HashKey hashOn;

  HashBalancer(UpstreamMember[] members, Balancing.HashKey hashOn) {
    this.members = members;
    this.hashOn = hashOn;
    this.memberHashes = new long[members.length];
    for (int i = 0; i < members.length; i++) {
      memberHashes[i] = RendezvousHash.hash(members[i].label());
    }
  }

  @Override
  public List<UpstreamMember> order(HandshakeRequest request, long nowNanos) {
    long key = RendezvousHash.hash(key(request));
    List<Ranked> healthy = new ArrayList<>(members.length);
    for (int i = 0; i < members.length; i++) {
      if (members[i].healthy(nowNanos)) {
        healthy.add(new Ranked(members[i], RendezvousHash.score(key, memberHashes[i])));
      }
    }
    healthy.sort((a, b) -> Long.compare(b.score(), a.score()));
    return healthy.stream().map(Ranked::member).toList();
  }

  private String key(HandshakeRequest request) {
    if (hashOn == Balancing.HashKey.SUBJECT && request.identity() != null) {
      // Two issuers' "alice" are two people (as for caps and revocations): the issuer is part of the key.
      return "subject\n" + request.identity().issuer() + "\n" + request.identity().subject();
    }
    return "ip\n" + request.clientIp();
  }

  private record Ranked(UpstreamMember member, long score) {
  }
}
