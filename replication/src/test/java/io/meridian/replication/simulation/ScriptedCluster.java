package io.meridian.replication.simulation;

import io.meridian.clocks.ManualPhysicalClock;
import io.meridian.clocks.VersionVector;
import io.meridian.replication.KeyUpdate;
import io.meridian.replication.LocalStamp;
import io.meridian.replication.LogEntry;
import io.meridian.replication.OutboundFrame;
import io.meridian.replication.Ready;
import io.meridian.replication.ReplicaCore;
import io.meridian.replication.ReplicationConfig;
import io.meridian.replication.RestoredReplica;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * A small cluster for scenario tests: frames arrive at the next tick unless their link is cut,
 * every {@link Ready} is processed whole (persist, apply, install and checkpoint, send, advance),
 * and a crashed region restarts from its log and last checkpoint.
 */
final class ScriptedCluster {
  final Map<String, Node> nodes = new LinkedHashMap<>();
  private final Set<String> cut = new HashSet<>();
  private List<String[]> inFlight = new ArrayList<>();
  private final List<String[]> captured = new ArrayList<>();
  private boolean capture;

  /** One region with its disk. */
  static final class Node {
    final ReplicationConfig config;
    final ManualPhysicalClock clock = new ManualPhysicalClock(1_700_000_000_000L);
    SimulatedApplication app = new SimulatedApplication();
    ReplicaCore core;
    boolean up = true;
    final List<LogEntry> disk = new ArrayList<>();
    SimulatedApplication checkpoint = new SimulatedApplication();
    VersionVector checkpointVector = VersionVector.empty();
    long checkpointHlcMax;
    long entriesReceived;
    long keyStatesReceived;
    long bytesReceived;

    Node(ReplicationConfig config) {
      this.config = config;
      this.core = new ReplicaCore(config, clock, app);
    }
  }

  ScriptedCluster(List<String> names, UnaryOperator<ReplicationConfig.Builder> tuning) {
    for (String name : names) {
      ReplicationConfig config =
          tuning
              .apply(
                  ReplicationConfig.builder(name, names)
                      .heartbeatIntervalTicks(2)
                      .resendIntervalTicks(5)
                      .batchWindowTicks(0)
                      .stateTransferIntervalTicks(10)
                      .digestRangeCount(16))
              .build();
      nodes.put(name, new Node(config));
    }
  }

  Node node(String name) {
    return nodes.get(name);
  }

  /** A client writes one batch at {@code region}: each key gets an update that assigns it. */
  LogEntry write(String region, String... keys) {
    Node node = nodes.get(region);
    LocalStamp stamp = node.core.nextLocalStamp();
    List<KeyUpdate> updates = new ArrayList<>();
    for (String key : keys) {
      updates.add(new KeyUpdate("b", key, SimulatedApplication.effect(updates.size(), true)));
    }
    LogEntry entry = node.core.appendLocal(stamp, updates, stamp.seq());
    process(node);
    return entry;
  }

  void cut(String a, String b) {
    cut.add(a + "|" + b);
    cut.add(b + "|" + a);
  }

  /** Cuts every link between the two sides. */
  void partition(List<String> side, List<String> otherSide) {
    for (String a : side) {
      for (String b : otherSide) {
        cut(a, b);
      }
    }
  }

  void heal() {
    cut.clear();
  }

  void crash(String region) {
    Node node = nodes.get(region);
    node.up = false;
    node.core = null;
    node.app = null;
  }

  void restart(String region) {
    Node node = nodes.get(region);
    node.app = node.checkpoint.copy();
    RestoredReplica restored =
        ReplicaCore.restore(
            node.config,
            node.clock,
            node.app,
            node.checkpointVector,
            node.checkpointHlcMax,
            List.copyOf(node.disk));
    restored.entriesToReplay().forEach(node.app::apply);
    node.core = restored.core();
    node.up = true;
  }

  /** Records every frame delivered from now on, for replaying them later. */
  void captureFrames() {
    capture = true;
  }

  /** Delivers every captured frame again, in reverse order. */
  void replayCaptured() {
    for (int i = captured.size() - 1; i >= 0; i--) {
      String[] message = captured.get(i);
      Node target = nodes.get(message[1]);
      target.core.step(java.util.Base64.getDecoder().decode(message[2]));
      process(target);
    }
  }

  void ticks(int count) {
    for (int i = 0; i < count; i++) {
      tick();
    }
  }

  void tick() {
    List<String[]> delivering = inFlight;
    inFlight = new ArrayList<>();
    for (String[] message : delivering) {
      Node target = nodes.get(message[1]);
      if (!target.up || cut.contains(message[0] + "|" + message[1])) {
        continue;
      }
      if (capture) {
        captured.add(message);
      }
      byte[] bytes = java.util.Base64.getDecoder().decode(message[2]);
      count(target, bytes);
      target.core.step(bytes);
    }
    for (Node node : nodes.values()) {
      if (node.up) {
        node.clock.advance(10);
        node.core.tick();
        process(node);
      }
    }
  }

  private void process(Node node) {
    Ready ready = node.core.ready();
    VersionVector vector = node.core.appliedVector();
    long hlcMax = node.core.appliedHlcMax();
    node.disk.addAll(ready.entries());
    for (LogEntry entry : ready.entries()) {
      node.app.apply(entry);
      vector = vector.with(entry.origin(), entry.seq());
      hlcMax = Math.max(hlcMax, entry.hlc());
    }
    if (ready.snapshot().isPresent()) {
      node.app.install(ready.snapshot().get());
      node.checkpoint = node.app.copy();
      node.checkpointVector = vector.merge(ready.snapshot().get().vector());
      node.checkpointHlcMax = Math.max(hlcMax, ready.snapshot().get().hlcMax());
    }
    for (OutboundFrame frame : ready.frames()) {
      inFlight.add(
          new String[] {
            node.config.self(),
            frame.peer(),
            java.util.Base64.getEncoder().encodeToString(frame.bytes())
          });
    }
    node.core.advance(ready);
  }

  private static void count(Node target, byte[] bytes) {
    try {
      io.meridian.replication.proto.FrameProto frame =
          io.meridian.replication.proto.FrameProto.parseFrom(bytes);
      target.entriesReceived += frame.getEntriesCount();
      target.keyStatesReceived += frame.getStateChunk().getKeyStatesCount();
      target.bytesReceived += bytes.length;
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Update ids visible at {@code region} for {@code key}. */
  Set<UpdateId> visible(String region, String key) {
    SimulatedApplication.KeyModel model =
        nodes.get(region).app.keys().get(SimulatedApplication.keyName("b", key));
    return model == null ? Set.of() : Set.copyOf(model.ids);
  }

  /** The update the register of {@code key} holds at {@code region}. */
  UpdateId register(String region, String key) {
    return nodes.get(region).app.keys().get(SimulatedApplication.keyName("b", key)).registerValue;
  }

  static UpdateId id(LogEntry entry, int ordinal) {
    return new UpdateId(entry.origin(), entry.seq(), ordinal);
  }
}
