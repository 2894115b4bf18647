package io.meridian.clocks;

/**
 * Hybrid logical clock timestamps packed in a {@code long}: the high 48 bits hold physical
 * milliseconds since the Unix epoch, the low 16 bits a logical counter. The sign bit is always 0
 * (valid timestamps are non-negative), so the physical part has 47 bits of range, up to {@link
 * #PHYSICAL_MAX}: enough until the year 6429. Because the sign bit is never set, signed comparison
 * of packed timestamps is their order (physical part, then counter), and {@link Long#compare} is
 * the order.
 */
public final class HlcTimestamp {
  /** Bits of the logical counter. */
  public static final int LOGICAL_BITS = 16;

  /** Largest logical counter; one more carries into the physical part. */
  public static final int LOGICAL_MAX = (1 << LOGICAL_BITS) - 1;

  /** Largest physical part, in milliseconds. */
  public static final long PHYSICAL_MAX = (1L << (Long.SIZE - 1 - LOGICAL_BITS)) - 1;

  /** The smallest timestamp. */
  public static final long ZERO = 0L;

  private HlcTimestamp() {}

  /** Packs a physical time and a logical counter. */
  public static long pack(long physicalMillis, int logical) {
    if (physicalMillis < 0 || physicalMillis > PHYSICAL_MAX) {
      throw new IllegalArgumentException("physical time out of range: " + physicalMillis);
    }
    if (logical < 0 || logical > LOGICAL_MAX) {
      throw new IllegalArgumentException("logical counter out of range: " + logical);
    }
    return (physicalMillis << LOGICAL_BITS) | logical;
  }

  /** The physical milliseconds of a packed timestamp. */
  public static long physical(long timestamp) {
    return timestamp >>> LOGICAL_BITS;
  }

  /** The logical counter of a packed timestamp. */
  public static int logical(long timestamp) {
    return (int) (timestamp & LOGICAL_MAX);
  }

  /** True when {@code timestamp} is a packed timestamp this class could have produced. */
  public static boolean isValid(long timestamp) {
    return timestamp >= 0;
  }

  /** The smallest timestamp above {@code timestamp}: the counter plus one, carrying if full. */
  public static long successor(long timestamp) {
    if (timestamp == Long.MAX_VALUE) {
      throw new ArithmeticException("HLC timestamp space exhausted");
    }
    return timestamp + 1;
  }

  /** Human-readable form, {@code physical.logical}. */
  public static String toString(long timestamp) {
    return physical(timestamp) + "." + logical(timestamp);
  }
}
