package io.meridian.clocks;

/**
 * A physical clock that moves only when told to: settable, skewable, and able to jump backwards.
 * For tests and the simulator; not thread-safe.
 */
public final class ManualPhysicalClock implements PhysicalClock {
  private long millis;

  public ManualPhysicalClock(long startMillis) {
    this.millis = startMillis;
  }

  @Override
  public long millis() {
    return millis;
  }

  /** Sets the time, forwards or backwards. */
  public void set(long newMillis) {
    this.millis = newMillis;
  }

  /** Moves the time by {@code deltaMillis}, which may be negative. */
  public void advance(long deltaMillis) {
    this.millis += deltaMillis;
  }
}
