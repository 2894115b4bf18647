package io.meridian.server.region;

import io.meridian.clocks.VersionVector;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * Requests waiting until the region has applied what their session needs (Terry et al., 1994), each
 * until a deadline counted in the driver's ticks, so a simulator replays the waits exactly and a
 * jump of the physical clock stretches none. Bounded by {@code waitersMax}. Owned by the driver:
 * not thread safe.
 */
final class SessionWaiters {
  private final int waitersMax;
  private final List<Waiter> waiters = new ArrayList<>();

  /**
   * One waiting request.
   *
   * @param required the vector the region must have applied before serving it
   * @param durable true when {@code required} must be on this region's disk, not only visible
   * @param deadlineTick the tick at which it gives up
   * @param waitMillis the wait it asked for
   * @param serve what serves it
   * @param answer where its answer goes, or its refusal
   */
  record Waiter(
      VersionVector required,
      boolean durable,
      long deadlineTick,
      long waitMillis,
      Runnable serve,
      CompletableFuture<?> answer) {}

  SessionWaiters(int waitersMax) {
    this.waitersMax = waitersMax;
  }

  /** False, adding nothing, when {@code waitersMax} requests wait already. */
  boolean add(Waiter waiter) {
    if (waiters.size() >= waitersMax) {
      return false;
    }
    waiters.add(waiter);
    return true;
  }

  /**
   * Removes and returns, in arrival order, the waiters whose vector is covered: by {@code durable}
   * for those that need it on disk, by {@code visible} for the others.
   */
  List<Waiter> takeCovered(VersionVector visible, VersionVector durable) {
    return take(waiter -> (waiter.durable() ? durable : visible).dominates(waiter.required()));
  }

  /**
   * Removes and returns, in arrival order, the waiters whose deadline is {@code tick} or before.
   */
  List<Waiter> takeExpired(long tick) {
    return take(waiter -> waiter.deadlineTick() <= tick);
  }

  /** True when no request waits. */
  boolean isEmpty() {
    return waiters.isEmpty();
  }

  /** Removes and returns every waiter. */
  List<Waiter> takeAll() {
    return take(waiter -> true);
  }

  private List<Waiter> take(Predicate<Waiter> which) {
    if (waiters.isEmpty()) {
      return List.of();
    }
    List<Waiter> taken = new ArrayList<>();
    Iterator<Waiter> iterator = waiters.iterator();
    while (iterator.hasNext()) {
      Waiter waiter = iterator.next();
      if (which.test(waiter)) {
        iterator.remove();
        taken.add(waiter);
      }
    }
    return taken;
  }
}
