package io.meridian.clocks;

/**
 * A hybrid logical clock (Kulkarni, Demirbas, Madappa, Avva, Leone: "Logical Physical Clocks",
 * OPODIS 2014). Timestamps are packed as {@link HlcTimestamp} describes. A clock has one owner; it
 * is not thread-safe.
 *
 * <p>Rules, with {@code l} the physical part, {@code c} the counter and {@code pt} the physical
 * clock's reading:
 *
 * <ul>
 *   <li>Local or send event: {@code l = max(l, pt)}; {@code c} counts up if {@code l} did not move,
 *       else restarts at 0.
 *   <li>Receive of {@code (lm, cm)}: {@code l = max(l, lm, pt)}; {@code c} is one above the largest
 *       counter among those whose {@code l} equals the new one, or 0.
 * </ul>
 *
 * <p>Deviations from the paper, each for a reason:
 *
 * <ul>
 *   <li><b>Maximum offset.</b> A remote timestamp whose physical part is more than {@code
 *       maxOffsetMillis} ahead of the local physical clock is reported as {@link
 *       ReceiveStatus#TOO_FAR_AHEAD}. The clock does not jump to it (a single bad clock must not
 *       drag every region into the future); the receive is then a local event. The caller still
 *       accepts the message: an update is never lost for a clock. Happened-before therefore implies
 *       a smaller timestamp only along paths whose messages were all within the offset.
 *   <li><b>Counter overflow.</b> When the counter would pass {@link HlcTimestamp#LOGICAL_MAX}
 *       (65,536 events in one millisecond), it carries into the physical part: {@code l} moves one
 *       millisecond ahead of the physical clock and {@code c} restarts at 0. Timestamps stay
 *       strictly monotonic; the clock runs ahead of physical time by at most one millisecond per
 *       65,536 events beyond what the physical clock provides.
 *   <li><b>Backward physical clock.</b> {@code l} never decreases, so timestamps stay monotonic
 *       when the physical clock jumps back; the counter absorbs the difference.
 * </ul>
 */
public final class HybridLogicalClock {
  /** The outcome of receiving a remote timestamp. */
  public enum ReceiveStatus {
    /** The remote timestamp was within the maximum offset and was merged into the clock. */
    ACCEPTED,
    /** The remote timestamp was too far ahead; the clock ticked locally and did not jump. */
    TOO_FAR_AHEAD
  }

  /**
   * The result of a receive.
   *
   * @param timestamp the new local timestamp, above every timestamp this clock issued before
   * @param status whether the remote timestamp was merged
   * @param remoteAheadMillis how far the remote physical part was ahead of the local physical clock
   *     (0 or negative when it was not ahead)
   */
  public record ReceiveResult(long timestamp, ReceiveStatus status, long remoteAheadMillis) {}

  private final PhysicalClock physicalClock;
  private final long maxOffsetMillis;
  private long last;

  /**
   * @param physicalClock the source of physical time
   * @param maxOffsetMillis how far ahead of the local physical clock a remote timestamp may be and
   *     still be merged; at least 0
   */
  public HybridLogicalClock(PhysicalClock physicalClock, long maxOffsetMillis) {
    if (maxOffsetMillis < 0) {
      throw new IllegalArgumentException("maxOffsetMillis must be at least 0");
    }
    this.physicalClock = physicalClock;
    this.maxOffsetMillis = maxOffsetMillis;
    this.last = HlcTimestamp.ZERO;
  }

  /** A clock that resumes above {@code floor}, for example the last timestamp a restart found. */
  public HybridLogicalClock(PhysicalClock physicalClock, long maxOffsetMillis, long floor) {
    this(physicalClock, maxOffsetMillis);
    if (!HlcTimestamp.isValid(floor)) {
      throw new IllegalArgumentException("invalid HLC floor: " + floor);
    }
    this.last = floor;
  }

  /** A local or send event: returns a timestamp above every one issued or received so far. */
  public long now() {
    long physical = readPhysical();
    long lastPhysical = HlcTimestamp.physical(last);
    if (physical > lastPhysical) {
      last = HlcTimestamp.pack(physical, 0);
    } else {
      last = HlcTimestamp.successor(last);
    }
    return last;
  }

  /** A receive event for a timestamp from another node. */
  public ReceiveResult receive(long remote) {
    if (!HlcTimestamp.isValid(remote)) {
      throw new IllegalArgumentException("invalid HLC timestamp: " + remote);
    }
    long physical = readPhysical();
    long remotePhysical = HlcTimestamp.physical(remote);
    long ahead = remotePhysical - physical;
    if (ahead > maxOffsetMillis) {
      return new ReceiveResult(now(), ReceiveStatus.TOO_FAR_AHEAD, ahead);
    }
    long lastPhysical = HlcTimestamp.physical(last);
    long newPhysical = Math.max(physical, Math.max(lastPhysical, remotePhysical));
    if (newPhysical == lastPhysical || newPhysical == remotePhysical) {
      // The new timestamp must exceed both the last local and the remote one.
      last = HlcTimestamp.successor(Math.max(last, remote));
    } else {
      last = HlcTimestamp.pack(newPhysical, 0);
    }
    return new ReceiveResult(last, ReceiveStatus.ACCEPTED, ahead);
  }

  /** The last timestamp issued, without ticking. */
  public long current() {
    return last;
  }

  /** The configured maximum offset, in milliseconds. */
  public long maxOffsetMillis() {
    return maxOffsetMillis;
  }

  private long readPhysical() {
    long physical = physicalClock.millis();
    if (physical < 0) {
      return 0;
    }
    return Math.min(physical, HlcTimestamp.PHYSICAL_MAX);
  }
}
