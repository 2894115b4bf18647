package io.meridian.clocks;

import io.meridian.clocks.HybridLogicalClock.ReceiveResult;
import io.meridian.clocks.HybridLogicalClock.ReceiveStatus;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded simulation of 3 to 5 nodes, each with a {@link HybridLogicalClock} over a skewed {@link
 * ManualPhysicalClock}, running a random interleaving of local events, sends and receives (messages
 * are reordered and sometimes duplicated) while true time advances, stalls, and node clocks jump
 * backwards and forwards within {@link #SKEW_MILLIS_MAX}. One seed determines the whole run.
 *
 * <p>After every event it checks:
 *
 * <ul>
 *   <li><b>model</b>: the timestamp equals that of a reference formulation of the rules in packed
 *       arithmetic: a local event gives {@code max(pack(pt, 0), last + 1)}, an accepted receive
 *       {@code max(pack(pt, 0), last + 1, remote + 1)}, and a receive is accepted exactly when the
 *       remote physical part is at most the maximum offset ahead of {@code pt};
 *   <li><b>monotonic</b>: strictly above the node's previous timestamp;
 *   <li><b>causal</b>: above the timestamp of every event in its <em>clean</em> causal past, the
 *       events that reach it through program order and accepted messages only (Kulkarni et al.,
 *       2014, with the maximum-offset deviation described in {@link HybridLogicalClock});
 *   <li><b>bounded</b>: never below the physical clock, and never more ticks above the last
 *       timestamp of the largest physical millisecond the node trusted (its own readings, its
 *       restart floor, accepted remote timestamps) than the node has had events: the clock runs
 *       ahead of trusted time only through counter carries, one millisecond per 65,536 events;
 *   <li><b>codec</b>: the timestamp round-trips through {@link ClocksCodec}.
 * </ul>
 *
 * A failure throws an {@link AssertionError} whose message ends with the one line that replays the
 * run.
 */
final class HlcSimulation {
  /** How far a node's physical clock may be from true time, either way, in milliseconds. */
  static final long SKEW_MILLIS_MAX = 10 * 60 * 1000L;

  /** Maximum offsets the runs draw from: below, around and above the 20 minutes of total skew. */
  private static final long[] MAX_OFFSETS_MILLIS = {
    0, 1, 250, 60_000, SKEW_MILLIS_MAX, 2 * SKEW_MILLIS_MAX, 2 * SKEW_MILLIS_MAX + 1_000
  };

  /** What one run did, so callers can check that runs exercise every rule. */
  record Counts(
      long events,
      long accepted,
      long tooFarAhead,
      long carries,
      long backwardJumps,
      long causalChecks) {
    Counts plus(Counts other) {
      return new Counts(
          events + other.events,
          accepted + other.accepted,
          tooFarAhead + other.tooFarAhead,
          carries + other.carries,
          backwardJumps + other.backwardJumps,
          causalChecks + other.causalChecks);
    }
  }

  private record Message(int from, int to, long timestamp, int[] cleanPast) {}

  private static final class Node {
    final int id;
    final ManualPhysicalClock physical;
    final HybridLogicalClock clock;
    long offsetMillis;
    final List<Long> timestamps = new ArrayList<>();
    int[] cleanPast;
    long trustedPhysical;
    long last;

    Node(
        int id,
        int nodeCount,
        long offsetMillis,
        long trueMillis,
        long maxOffsetMillis,
        long floor) {
      this.id = id;
      this.offsetMillis = offsetMillis;
      this.physical = new ManualPhysicalClock(trueMillis + offsetMillis);
      this.clock = new HybridLogicalClock(physical, maxOffsetMillis, floor);
      this.cleanPast = new int[nodeCount];
      Arrays.fill(cleanPast, -1);
      this.last = floor;
      this.trustedPhysical = HlcTimestamp.physical(floor);
    }
  }

  private final long seed;
  private final int steps;

  HlcSimulation(long seed) {
    this(seed, 300);
  }

  HlcSimulation(long seed, int steps) {
    this.seed = seed;
    this.steps = steps;
  }

  /** Runs the simulation; throws {@link AssertionError} on the first violated check. */
  Counts run() {
    return new Run().execute();
  }

  private final class Run {
    final SplittableRandom random = new SplittableRandom(seed);
    final int nodeCount = 3 + random.nextInt(3);
    final long maxOffsetMillis = MAX_OFFSETS_MILLIS[random.nextInt(MAX_OFFSETS_MILLIS.length)];
    // Sometimes start near the epoch, so skewed readings go negative and are clamped to 0.
    long trueMillis =
        random.nextInt(4) == 0
            ? random.nextLong(SKEW_MILLIS_MAX)
            : 1_700_000_000_000L + random.nextLong(100_000_000_000L);
    final Node[] nodes = new Node[nodeCount];
    final List<Message> inFlight = new ArrayList<>();
    int step;
    long events;
    long accepted;
    long tooFarAhead;
    long carries;
    long backwardJumps;
    long causalChecks;

    Counts execute() {
      for (int i = 0; i < nodeCount; i++) {
        nodes[i] =
            new Node(i, nodeCount, randomOffset(), trueMillis, maxOffsetMillis, randomFloor());
      }
      for (step = 0; step < steps; step++) {
        int choice = random.nextInt(100);
        if (choice < 25) {
          advanceTrueTime();
        } else if (choice < 35) {
          jump(nodes[random.nextInt(nodeCount)]);
        } else if (choice < 55) {
          localEvent(nodes[random.nextInt(nodeCount)]);
        } else if (choice < 78) {
          send();
        } else if (!inFlight.isEmpty()) {
          receive();
        }
      }
      return new Counts(events, accepted, tooFarAhead, carries, backwardJumps, causalChecks);
    }

    long randomOffset() {
      return random.nextLong(-SKEW_MILLIS_MAX, SKEW_MILLIS_MAX + 1);
    }

    /** A restart floor: none, or one whose counter is a few events from overflowing. */
    long randomFloor() {
      if (random.nextInt(3) != 0) {
        return HlcTimestamp.ZERO;
      }
      long physical = Math.max(0, trueMillis + random.nextLong(-1_000, 1_000));
      return HlcTimestamp.pack(physical, HlcTimestamp.LOGICAL_MAX - random.nextInt(4));
    }

    void advanceTrueTime() {
      // Mostly stalls and single milliseconds, so counters grow; now and then minutes pass.
      long delta = random.nextInt(10) == 0 ? random.nextLong(300_000) : random.nextInt(3);
      trueMillis += delta;
      for (Node node : nodes) {
        node.physical.set(trueMillis + node.offsetMillis);
      }
    }

    void jump(Node node) {
      long newOffset = randomOffset();
      if (newOffset < node.offsetMillis) {
        backwardJumps++;
      }
      node.offsetMillis = newOffset;
      node.physical.set(trueMillis + newOffset);
    }

    long localEvent(Node node) {
      long physical = reading(node);
      long timestamp = node.clock.now();
      check(
          timestamp == Math.max(HlcTimestamp.pack(physical, 0), node.last + 1),
          node,
          "local event gave "
              + show(timestamp)
              + " where the rules give "
              + show(Math.max(HlcTimestamp.pack(physical, 0), node.last + 1)));
      record(node, timestamp, physical, node.last, -1);
      return timestamp;
    }

    void send() {
      Node from = nodes[random.nextInt(nodeCount)];
      int to = (from.id + 1 + random.nextInt(nodeCount - 1)) % nodeCount;
      long timestamp = localEvent(from);
      inFlight.add(new Message(from.id, to, timestamp, from.cleanPast.clone()));
    }

    void receive() {
      int index = random.nextInt(inFlight.size());
      Message message = inFlight.get(index);
      if (random.nextInt(10) != 0) {
        inFlight.remove(index); // otherwise it stays in flight and arrives again: a duplicate
      }
      Node node = nodes[message.to];
      long physical = reading(node);
      long before = node.last;
      ReceiveResult result = node.clock.receive(message.timestamp);
      long ahead = HlcTimestamp.physical(message.timestamp) - physical;
      boolean within = ahead <= maxOffsetMillis;
      check(
          result.remoteAheadMillis() == ahead,
          node,
          "remoteAheadMillis "
              + result.remoteAheadMillis()
              + " but remote was "
              + ahead
              + " ahead");
      check(
          result.status() == (within ? ReceiveStatus.ACCEPTED : ReceiveStatus.TOO_FAR_AHEAD),
          node,
          "status "
              + result.status()
              + " for a remote "
              + ahead
              + " ms ahead, offset "
              + maxOffsetMillis);
      long expected = Math.max(HlcTimestamp.pack(physical, 0), before + 1);
      if (within) {
        expected = Math.max(expected, message.timestamp + 1);
        accepted++;
        for (int i = 0; i < nodeCount; i++) {
          node.cleanPast[i] = Math.max(node.cleanPast[i], message.cleanPast[i]);
        }
        node.trustedPhysical =
            Math.max(node.trustedPhysical, HlcTimestamp.physical(message.timestamp));
      } else {
        tooFarAhead++;
      }
      check(
          result.timestamp() == expected,
          node,
          "receive of "
              + show(message.timestamp)
              + " gave "
              + show(result.timestamp())
              + " where the rules give "
              + show(expected));
      record(node, result.timestamp(), physical, before, within ? message.timestamp : -1);
    }

    /** The node's physical reading as the clock sees it (negative clamped to 0), now trusted. */
    long reading(Node node) {
      long physical = Math.max(0, node.physical.millis());
      node.trustedPhysical = Math.max(node.trustedPhysical, physical);
      return physical;
    }

    void record(Node node, long timestamp, long physical, long before, long acceptedRemote) {
      events++;
      check(
          timestamp > before, node, "not monotonic: " + show(timestamp) + " after " + show(before));
      check(
          HlcTimestamp.physical(timestamp) >= physical,
          node,
          "physical part of " + show(timestamp) + " below the physical clock " + physical);
      long trustedLast = HlcTimestamp.pack(node.trustedPhysical, HlcTimestamp.LOGICAL_MAX);
      check(
          timestamp - trustedLast <= node.timestamps.size() + 1,
          node,
          show(timestamp)
              + " runs "
              + (timestamp - trustedLast)
              + " ticks ahead of trusted time "
              + node.trustedPhysical
              + " after only "
              + (node.timestamps.size() + 1)
              + " events");
      check(
          ClocksCodec.decodeHlc(ClocksCodec.encodeHlc(timestamp)) == timestamp,
          node,
          "codec round trip changed " + show(timestamp));
      long largestSource =
          Math.max(
              physical,
              Math.max(
                  HlcTimestamp.physical(before),
                  acceptedRemote < 0 ? 0 : HlcTimestamp.physical(acceptedRemote)));
      if (HlcTimestamp.physical(timestamp) > largestSource) {
        carries++;
      }
      checkCleanPast(node, timestamp);
      node.cleanPast[node.id] = node.timestamps.size();
      node.timestamps.add(timestamp);
      node.last = timestamp;
    }

    /**
     * The latest clean predecessor on each node suffices: earlier ones there are smaller by that
     * node's monotonicity, checked when they were recorded.
     */
    void checkCleanPast(Node node, long timestamp) {
      for (int other = 0; other < nodeCount; other++) {
        int index = node.cleanPast[other];
        if (index < 0) {
          continue;
        }
        long predecessor = nodes[other].timestamps.get(index);
        causalChecks++;
        check(
            predecessor < timestamp,
            node,
            "event "
                + show(timestamp)
                + " is not above "
                + show(predecessor)
                + ", event "
                + index
                + " of node "
                + other
                + ", which happened before it through accepted messages");
      }
    }

    void check(boolean condition, Node node, String what) {
      if (!condition) {
        throw new AssertionError(
            "HLC simulation, step "
                + step
                + ", node "
                + node.id
                + " of "
                + nodeCount
                + ", max offset "
                + maxOffsetMillis
                + " ms: "
                + what
                + "\nReproduce: new HlcSimulation("
                + seed
                + "L, "
                + steps
                + ").run()");
      }
    }
  }

  private static String show(long timestamp) {
    return HlcTimestamp.toString(timestamp);
  }
}
