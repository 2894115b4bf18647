package io.meridian.benchmarks.geo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * One injected fault and its window, written {@code kind:TARGET@START-END} (milliseconds from the
 * run's start; TARGET is {@code A-B} for a link fault, {@code A>B} for a one-way one, {@code A} for
 * a region): the form a failed run prints and {@code --fault} reads back.
 *
 * @param kind what happens
 * @param first the region (or a link's first end)
 * @param second a link's other end, or null for a region fault
 * @param startMillis when it starts, from the run's start
 * @param endMillis when it heals
 */
public record Fault(Kind kind, String first, String second, long startMillis, long endMillis) {

  /** The faults the harness injects. */
  public enum Kind {
    /** Both directions between two regions hold their bytes. */
    PARTITION_HOLD,
    /** Connections between two regions are closed and refused. */
    PARTITION_DROP,
    /** One direction holds its bytes; the other flows. */
    ONE_WAY,
    /** The link between two regions is dropped and restored every {@link #FLAP_MILLIS}. */
    FLAP,
    /**
     * 5 % of chunks between two regions wait {@link #LOSS_STALL_MILLIS}, as after a lost segment.
     */
    LOSS,
    /** {@code kill -9} of a region at the start, restart at the end. */
    KILL,
    /** SIGSTOP at the start, SIGCONT at the end. */
    PAUSE,
    /**
     * {@code kill -9} at the start; at the end a restart whose clock is {@link #CLOCK_JUMP_MILLIS}
     * further behind than before: the region's clock jumps back across the restart.
     */
    CLOCK_BACK,
    /**
     * The lossy mode, outside the system's fault model: the region's links hold during the window,
     * then it is killed, its data directory deleted, and it restarts empty. Acknowledged updates
     * that never left it are lost; the checker must say so.
     */
    LOSE_DISK;

    boolean onLink() {
      return this == PARTITION_HOLD
          || this == PARTITION_DROP
          || this == ONE_WAY
          || this == FLAP
          || this == LOSS;
    }
  }

  /** Half-period of a flapping link. */
  public static final long FLAP_MILLIS = 500;

  /** How far {@link Kind#CLOCK_BACK} sets a region's clock back. */
  public static final long CLOCK_JUMP_MILLIS = 120_000;

  /** The emulated retransmission stall of {@link Kind#LOSS}. */
  public static final long LOSS_STALL_MILLIS = 200;

  /**
   * Parses the printed form.
   *
   * @param text {@code kind:TARGET@START-END}, kind in lower case with dashes
   * @param regions the run's regions, to check the names
   * @return the fault
   * @throws IllegalArgumentException if the text is malformed
   */
  public static Fault parse(String text, List<String> regions) {
    int colon = text.indexOf(':');
    int at = text.indexOf('@');
    if (colon < 0 || at < colon) {
      throw new IllegalArgumentException("fault must be kind:TARGET@START-END, got " + text);
    }
    Kind kind = Kind.valueOf(text.substring(0, colon).toUpperCase(Locale.ROOT).replace('-', '_'));
    String target = text.substring(colon + 1, at);
    String[] window = text.substring(at + 1).split("-", 2);
    if (window.length != 2) {
      throw new IllegalArgumentException("fault " + text + " needs a window START-END");
    }
    String separator = kind == Kind.ONE_WAY ? ">" : "-";
    String first = target;
    String second = null;
    if (kind.onLink()) {
      String[] ends = target.split(java.util.regex.Pattern.quote(separator), 2);
      if (ends.length != 2) {
        throw new IllegalArgumentException("fault " + text + " needs A" + separator + "B");
      }
      first = ends[0];
      second = ends[1];
      requireRegion(second, regions);
    }
    requireRegion(first, regions);
    long start = Long.parseLong(window[0]);
    long end = Long.parseLong(window[1]);
    if (start < 0 || end <= start) {
      throw new IllegalArgumentException("fault " + text + ": the window must be 0 <= START < END");
    }
    return new Fault(kind, first, second, start, end);
  }

  private static void requireRegion(String name, List<String> regions) {
    if (!regions.contains(name)) {
      throw new IllegalArgumentException("no region " + name + " in " + regions);
    }
  }

  /**
   * A seeded random schedule: {@code count} faults one after another between 10 % and 80 % of the
   * run, each lasting 40 % to 80 % of its slot, so at most one fault is active at a time.
   *
   * @param seed the seed
   * @param regions the regions
   * @param durationMillis the run's length
   * @param count how many faults
   * @return the faults in time order
   */
  public static List<Fault> random(
      long seed, List<String> regions, long durationMillis, int count) {
    // SplittableRandom mixes its seed: java.util.Random's first draws for neighbouring seeds are
    // nearly equal, which gave seeds 101 to 105 the same first fault.
    SplittableRandom random = new SplittableRandom(seed);
    Kind[] kinds = {
      Kind.PARTITION_HOLD,
      Kind.PARTITION_DROP,
      Kind.ONE_WAY,
      Kind.FLAP,
      Kind.LOSS,
      Kind.KILL,
      Kind.PAUSE,
      Kind.CLOCK_BACK
    };
    List<Fault> faults = new ArrayList<>();
    if (count <= 0) {
      return faults;
    }
    long from = durationMillis / 10;
    long slot = (durationMillis * 8 / 10 - from) / count;
    for (int i = 0; i < count; i++) {
      Kind kind = kinds[random.nextInt(kinds.length)];
      long start = from + i * slot + random.nextInt((int) Math.max(1, slot / 5));
      long length = (long) (slot * (0.4 + 0.4 * random.nextDouble()));
      String a = regions.get(random.nextInt(regions.size()));
      String b =
          regions.get(
              (regions.indexOf(a) + 1 + random.nextInt(regions.size() - 1)) % regions.size());
      faults.add(new Fault(kind, a, kind.onLink() ? b : null, start, start + length));
    }
    return faults;
  }

  @Override
  public String toString() {
    String target = second == null ? first : first + (kind == Kind.ONE_WAY ? ">" : "-") + second;
    return kind.name().toLowerCase(Locale.ROOT).replace('_', '-')
        + ":"
        + target
        + "@"
        + startMillis
        + "-"
        + endMillis;
  }
}
