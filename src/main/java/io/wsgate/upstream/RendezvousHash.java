package io.wsgate.upstream;

import java.nio.charset.StandardCharsets;

/**
 * Rendezvous (highest random weight) hashing: a key ranks every member by a score mixed from the
 * key's hash and the member's, and goes to the highest. Each key so has its own order of all the
 * members, stable while they are listed: a member that leaves (or is down) moves only the keys it
 * ranked first for, each to its own next member, and they come back when it does. No ring to build
 * and no virtual nodes to tune; the cost, one score per member per upgrade, is nothing next to a dial.
 */
final class RendezvousHash {
  private RendezvousHash() {
  }

  /** 64-bit FNV-1a of the UTF-8 bytes: stable across processes and restarts, unlike {@link String#hashCode}'s spread. */
  static long hash(String text) {
    long h = 0xcbf29ce484222325L;
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return h;
  }

  /** The member's score for the key: higher ranks first. */
  static long score(long keyHash, long memberHash) {
    return mix(keyHash ^ mix(memberHash));
  }

  /** SplitMix64's finalizer: every input bit flips about half the output bits. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
