package io.wsgate.listener;

import java.util.concurrent.ThreadLocalRandom;

/** 128-bit random request ids as 32 hex chars: unguessable, and safe to log and to forward. */
final class RequestIds {
  private RequestIds() {
  }

  static String next() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return hex(random.nextLong()) + hex(random.nextLong());
  }

  private static String hex(long value) {
    String s = Long.toHexString(value);
    return "0".repeat(16 - s.length()) + s;
  }
}
