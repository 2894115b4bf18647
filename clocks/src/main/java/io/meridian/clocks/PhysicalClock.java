package io.meridian.clocks;

/**
 * The source of physical time, injected so that nothing in the core reads the wall clock. It may
 * drift, be skewed and jump backwards; the clocks built on it stay correct anyway.
 */
@FunctionalInterface
public interface PhysicalClock {
  /** Milliseconds since the Unix epoch, as this source believes them. */
  long millis();

  /** The system's wall clock, for production. */
  static PhysicalClock system() {
    return System::currentTimeMillis;
  }
}
