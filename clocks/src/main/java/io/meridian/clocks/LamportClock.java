package io.meridian.clocks;

/**
 * A Lamport clock (Lamport, "Time, clocks, and the ordering of events in a distributed system",
 * 1978): a counter that ticks on every event and jumps past every timestamp received. Not
 * thread-safe; one owner.
 */
public final class LamportClock {
  private long time;

  public LamportClock() {
    this(0);
  }

  public LamportClock(long start) {
    if (start < 0) {
      throw new IllegalArgumentException("start must be at least 0");
    }
    this.time = start;
  }

  /** A local or send event: returns the new time. */
  public long tick() {
    if (time == Long.MAX_VALUE) {
      throw new ArithmeticException("Lamport clock exhausted");
    }
    return ++time;
  }

  /**
   * A receive event: jumps past {@code remote} and returns the new time. A remote time that cannot
   * be passed ({@link Long#MAX_VALUE}) throws {@link ArithmeticException} and leaves the clock as
   * it was, so one bad message cannot exhaust it.
   */
  public long receive(long remote) {
    if (remote < 0) {
      throw new IllegalArgumentException("negative Lamport time: " + remote);
    }
    long passed = Math.max(time, remote);
    if (passed == Long.MAX_VALUE) {
      throw new ArithmeticException("Lamport clock exhausted");
    }
    time = passed + 1;
    return time;
  }

  /** The current time, without ticking. */
  public long current() {
    return time;
  }
}
