package io.meridian.clocks;

/**
 * Hybrid logical clock timestamps packed in a {@code long}: the high 48 bits are physical
 * milliseconds since the Unix epoch (enough until the year 10889), the low 16 bits a logical
 * counter. Packed timestamps compare as plain unsigned longs; since the physical part never reaches
 * bit 63 in practice, signed comparison agrees, and {@link Long#compare} is the order.
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
