package io.wsgate.limits;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The global connection cap. A slot is taken before the upstream is dialled, so handshakes in
 * flight count too, and given back exactly once when the handshake fails or the session ends.
 */
public final class ConnectionSlots {
  private final AtomicInteger used = new AtomicInteger();

  public boolean tryAcquire(int max) {
    while (true) {
      int current = used.get();
      if (current >= max) {
        return false;
      }
      if (used.compareAndSet(current, current + 1)) {
        return true;
      }
    }
  }

  public void release() {
    used.decrementAndGet();
  }

  public int used() {
    return used.get();
  }
}
