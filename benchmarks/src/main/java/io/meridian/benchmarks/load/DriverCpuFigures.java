package io.meridian.benchmarks.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.meridian.clocks.PhysicalClock;
import io.meridian.clocks.VersionVector;
import io.meridian.crdt.CrdtRegistry;
import io.meridian.crdt.Operation;
import io.meridian.replication.ReplicationConfig;
import io.meridian.server.region.FrameSender;
import io.meridian.server.region.ObjectName;
import io.meridian.server.region.RegionCheckpoints;
import io.meridian.server.region.RegionDriver;
import io.meridian.server.region.RegionLog;
import io.meridian.server.region.RegionOwnerConfig;
import io.meridian.server.region.RegionResult;
import io.meridian.server.region.UpdateRequest;
import io.meridian.server.storage.CheckpointMetadata;
import io.meridian.server.storage.LogRecord;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;
import java.util.function.Consumer;

/**
 * The owners' part of the write path alone: three production {@link RegionDriver}s on this one
 * thread, with the log and the checkpoint store in memory (each completion one turn of the loop
 * later, as an fsync group or a worker would answer) and frames handed straight to the peer's
 * driver one turn later. No HTTP, no TLS, no disk, no thread hops: what is left is what the owner
 * contexts of three regions do per acknowledged update (stamp, prepare, entry, Ready, apply at
 * every region, answer, advance, acknowledgements, folds and checkpoints), measured as this
 * thread's CPU time, which a busy machine inflates far less than a rate.
 *
 * <p>{@code java -cp benchmarks.jar io.meridian.benchmarks.load.DriverCpuFigures [seconds]
 * [outstanding] [keys] [idle]}: single g-counter increments at r1 over {@code keys} keys (1,000),
 * {@code outstanding} (64) in flight as the load tool's connections keep them, for a warm-up and a
 * measured window of {@code seconds} each (10); ticks of 10 ms and checkpoints every 10 s of wall
 * time as in a server. With {@code idle}, no writes and the ticks back to back (the heartbeat
 * interval then passes in half a second of ticks, not of time): the driver's CPU per idle tick,
 * without the cost of the timer that wakes a server's owner.
 */
public final class DriverCpuFigures {
  private static final String[] REGIONS = {"r1", "r2", "r3"};
  private static final long TICK_NANOS = 10_000_000L;

  private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
  private final Map<String, Node> nodes = new TreeMap<>();
  private final List<Operation> operations = new ArrayList<>();
  private long acknowledged;
  private long ticks;
  private boolean idleTicks;
  private long next;
  private final int keys;

  /** One region: its driver and the memory it runs against. */
  private final class Node implements RegionLog, RegionCheckpoints, FrameSender {
    final String name;
    final TreeMap<ByteString, ByteString> stored =
        new TreeMap<>(ByteString.unsignedLexicographicalComparator());
    CheckpointMetadata checkpoint;
    long lastIndex;
    long checkpoints;
    boolean pumpWanted;
    RegionDriver driver;

    Node(String name) {
      this.name = name;
    }

    @Override
    public void replay(Consumer<LogRecord> each) {}

    @Override
    public long lastIndex() {
      return lastIndex;
    }

    @Override
    public void append(List<byte[]> records, GroupCallback done) {
      List<Long> indexes = new ArrayList<>(records.size());
      for (int i = 0; i < records.size(); i++) {
        indexes.add(++lastIndex);
      }
      tasks.add(() -> done.completed(indexes, null));
    }

    @Override
    public void deleteBelow(long index) {}

    @Override
    public Optional<CheckpointMetadata> lastCheckpoint() {
      return Optional.ofNullable(checkpoint);
    }

    @Override
    public void forEachState(BiConsumer<ByteString, ByteString> each) {
      stored.forEach(each);
    }

    @Override
    public void forEachState(
        ByteString fromInclusive,
        ByteString toExclusive,
        BiPredicate<ByteString, ByteString> each) {
      for (Map.Entry<ByteString, ByteString> entry :
          stored.subMap(fromInclusive, toExclusive).entrySet()) {
        if (!each.test(entry.getKey(), entry.getValue())) {
          return;
        }
      }
    }

    @Override
    public Optional<ByteString> state(ByteString key) {
      return Optional.ofNullable(stored.get(key));
    }

    @Override
    public void commit(
        VersionVector vector,
        long logIndex,
        Map<ByteString, ByteString> states,
        Set<ByteString> removed,
        Consumer<Throwable> done) {
      stored.putAll(states);
      removed.forEach(stored::remove);
      checkpoint = new CheckpointMetadata(vector, logIndex, ++checkpoints);
      tasks.add(() -> done.accept(null));
    }

    @Override
    public void send(String peer, byte[] frame) {
      Node to = nodes.get(peer);
      tasks.add(() -> to.driver.receiveFrame(frame));
    }

    @Override
    public boolean connected(String peer) {
      return true;
    }
  }

  private DriverCpuFigures(int keys) {
    this.keys = keys;
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode body = mapper.createObjectNode().put("type", "g-counter").put("op", "increment");
    body.put("by", 1);
    operations.add(CrdtRegistry.parseUpdate(body));
    for (String region : REGIONS) {
      Node node = new Node(region);
      nodes.put(region, node);
      ReplicationConfig replication =
          ReplicationConfig.builder(region, List.of(REGIONS)).batchWindowTicks(0).build();
      RegionOwnerConfig config = RegionOwnerConfig.defaults(replication, Path.of("unused"));
      node.driver =
          RegionDriver.recover(
              config,
              new RegionDriver.Environment(
                  node,
                  node,
                  PhysicalClock.system(),
                  new SimpleMeterRegistry(),
                  () -> node.pumpWanted = true));
    }
    for (Node node : nodes.values()) {
      node.driver.connect(node);
      node.driver.pump();
    }
  }

  private void write() {
    Node r1 = nodes.get("r1");
    ObjectName name = new ObjectName("load", "k" + (next++ % keys));
    CompletableFuture<RegionResult> answer =
        r1.driver.write(
            List.of(new UpdateRequest(name, operations.get(0), null, null)),
            VersionVector.empty(),
            1_000);
    answer.whenComplete(
        (result, error) -> {
          if (error != null) {
            throw new IllegalStateException("a write failed", error);
          }
          acknowledged++;
          tasks.add(this::write);
        });
  }

  /** Runs the loop until {@code untilNanos}: tasks, pumps, ticks, checkpoints. */
  private void run(long untilNanos, long[] lastTick, long[] lastCheckpoint) {
    while (true) {
      long now = System.nanoTime();
      if (now >= untilNanos) {
        return;
      }
      if (now - lastTick[0] >= TICK_NANOS || (idleTicks && tasks.isEmpty())) {
        ticks++;
        lastTick[0] += TICK_NANOS;
        nodes.values().forEach(node -> node.driver.tick());
      }
      if (now - lastCheckpoint[0] >= 1_000 * TICK_NANOS) {
        lastCheckpoint[0] = now;
        nodes.values().forEach(node -> node.driver.checkpointAndFold());
      }
      int count = tasks.size();
      for (int i = 0; i < count; i++) {
        tasks.poll().run();
      }
      boolean pumped = false;
      for (Node node : nodes.values()) {
        if (node.pumpWanted) {
          node.pumpWanted = false;
          node.driver.pump();
          pumped = true;
        }
      }
      if (count == 0 && !pumped) {
        // Nothing can happen before the next tick: every task comes from this loop.
        long sleep = TICK_NANOS - (System.nanoTime() - lastTick[0]);
        if (sleep > 0) {
          LockSupport.parkNanos(sleep);
        }
      }
    }
  }

  public static void main(String[] args) {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 10;
    int outstanding = args.length > 1 ? Integer.parseInt(args[1]) : 64;
    int keys = args.length > 2 ? Integer.parseInt(args[2]) : 1_000;
    boolean idle = args.length > 3 && args[3].equals("idle");
    DriverCpuFigures figures = new DriverCpuFigures(keys);
    figures.idleTicks = idle;
    if (!idle) {
      for (int i = 0; i < outstanding; i++) {
        figures.write();
      }
    }
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long window = (long) (seconds * 1e9);
    long start = System.nanoTime();
    long[] lastTick = {start};
    long[] lastCheckpoint = {start};
    figures.run(start + window, lastTick, lastCheckpoint);
    long cpu0 = threads.getCurrentThreadCpuTime();
    long acknowledged0 = figures.acknowledged;
    long ticks0 = figures.ticks;
    long measuredFrom = System.nanoTime();
    figures.run(measuredFrom + window, lastTick, lastCheckpoint);
    long cpu = threads.getCurrentThreadCpuTime() - cpu0;
    long elapsed = System.nanoTime() - measuredFrom;
    long updates = figures.acknowledged - acknowledged0;
    double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    if (idle) {
      long ticks = figures.ticks - ticks0;
      System.out.printf(
          Locale.ROOT,
          "idle, three regions ticked back to back: %d ticks each, %.3f us of CPU per region"
              + " tick; load average %.2f%n",
          ticks,
          cpu / 1e3 / (3.0 * ticks),
          load);
      return;
    }
    System.out.printf(
        Locale.ROOT,
        "three regions' owners, %d outstanding over %d keys: %d updates in %.1f s, %.2f us of"
            + " CPU per acknowledged update (all three regions), %.2f cores; load average %.2f%n",
        outstanding,
        keys,
        updates,
        elapsed / 1e9,
        cpu / 1e3 / Math.max(1, updates),
        cpu / (double) elapsed,
        load);
  }
}
