package io.wsgate.cluster;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Whether the cluster store answers: {@link State#UP} or {@link State#DOWN}, with a listener told of
 * every transition (once per transition, whichever thread notices it). The store starts
 * {@code DOWN} ("not connected yet"). It goes down at a disconnection or after
 * {@code failuresBeforeDown} calls in a row failed or timed out, and up again at the first call or
 * probe that Redis answers.
 *
 * <pre>{@code
 * store.health().onChange((state, cause) -> {
 *   log.warn("cluster store {}: {}", state, cause);     // and an audit record, a metric
 * });
 * if (!store.health().isUp()) { ... onStoreFailure ... }
 * }</pre>
 */
public final class StoreHealth {
  /** Up: calls are sent. Down: calls fail at once, a probe keeps trying. */
  public enum State { UP, DOWN }

  /** Told of a transition; runs on a Lettuce thread: hand work to your own event loop, do not block. */
  @FunctionalInterface
  public interface Listener {
    void changed(State state, String cause);
  }

  private final AtomicReference<State> state = new AtomicReference<>(State.DOWN);
  private final AtomicInteger failuresInARow = new AtomicInteger();
  private final AtomicLong transitions = new AtomicLong();
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final int failuresBeforeDown;
  private volatile String cause = "not connected yet";

  StoreHealth(int failuresBeforeDown) {
    this.failuresBeforeDown = failuresBeforeDown;
  }

  public State state() {
    return state.get();
  }

  public boolean isUp() {
    return state.get() == State.UP;
  }

  /** Why the store is down (or was last down). */
  public String cause() {
    return cause;
  }

  /** Transitions so far, both ways (for a metric). */
  public long transitions() {
    return transitions.get();
  }

  public void onChange(Listener listener) {
    listeners.add(listener);
  }

  void succeeded() {
    failuresInARow.set(0);
    moveTo(State.UP, "answering");
  }

  void failed(String why) {
    if (failuresInARow.incrementAndGet() >= failuresBeforeDown) {
      moveTo(State.DOWN, why);
    }
  }

  void lost(String why) {
    failuresInARow.set(failuresBeforeDown);
    moveTo(State.DOWN, why);
  }

  private void moveTo(State next, String why) {
    if (next == State.DOWN) {
      cause = why;
    }
    State previous = state.getAndSet(next);
    if (previous == next) {
      return;
    }
    transitions.incrementAndGet();
    for (Listener listener : listeners) {
      listener.changed(next, why);
    }
  }
}
