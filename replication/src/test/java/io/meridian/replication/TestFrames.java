package io.meridian.replication;

import io.meridian.clocks.ManualPhysicalClock;
import io.meridian.clocks.VersionVector;
import io.meridian.replication.proto.FrameProto;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Builds frames, entries and cores by hand for tests. */
final class TestFrames {
  static final List<String> REGIONS = List.of("a", "b", "c");
  static final long HLC = 1_700_000_000_000L << 16;

  private TestFrames() {}

  /** An application with no keys. */
  static final ApplicationState EMPTY_APPLICATION =
      new ApplicationState() {
        @Override
        public List<byte[]> rangeDigests(int rangeCount) {
          List<byte[]> digests = new ArrayList<>();
          for (int i = 0; i < rangeCount; i++) {
            digests.add(new byte[32]);
          }
          return digests;
        }

        @Override
        public List<KeyState> keyStates(Set<Integer> ranges, int rangeCount) {
          return List.of();
        }
      };

  static ReplicaCore core(String self, int bufferEntriesMax) {
    ReplicationConfig config =
        ReplicationConfig.builder(self, REGIONS)
            .deliveryBufferEntriesMax(bufferEntriesMax)
            .heartbeatIntervalTicks(3)
            .digestRangeCount(4)
            .build();
    return new ReplicaCore(config, new ManualPhysicalClock(1_700_000_000_000L), EMPTY_APPLICATION);
  }

  /** The {@code seq}-th entry of {@code origin}, depending on {@code others} besides its chain. */
  static LogEntry entry(String origin, long seq, VersionVector others, String key) {
    VersionVector deps = others.with(origin, seq - 1);
    return new LogEntry(
        origin, seq, HLC + seq, deps, List.of(new KeyUpdate("bucket", key, new byte[] {1, 2})));
  }

  static LogEntry entry(String origin, long seq) {
    return entry(origin, seq, VersionVector.empty(), "k" + seq);
  }

  static byte[] frame(String sender, VersionVector applied, LogEntry... entries) {
    return frame(sender, applied, VersionVector.empty(), VersionVector.empty(), entries);
  }

  /** A frame of a hand-made peer with nothing unapplied: it acknowledges what it applied. */
  static byte[] frame(
      String sender,
      VersionVector applied,
      VersionVector stable,
      VersionVector trimmed,
      LogEntry... entries) {
    FrameProto.Builder builder = FrameCodec.header(sender, HLC, applied, applied, stable, trimmed);
    for (LogEntry entry : entries) {
      builder.addEntries(FrameCodec.toProto(entry));
    }
    return builder.build().toByteArray();
  }

  /** Drives a core's ready and advance as a driver would, returning the ready. */
  static Ready cycle(ReplicaCore core) {
    Ready ready = core.ready();
    core.advance(ready);
    return ready;
  }

  /** Everything observable of a core except the rejection counters. */
  static String observable(ReplicaCore core) {
    ReplicationMetrics metrics = core.metrics();
    StringBuilder text =
        new StringBuilder()
            .append(core.appliedVector())
            .append(core.acknowledgedVector())
            .append(core.acceptedVector())
            .append(core.stableVector())
            .append(core.trimmedVector())
            .append(core.currentHlc())
            .append(metrics.acceptedFrames())
            .append('/')
            .append(metrics.duplicateEntries())
            .append('/')
            .append(metrics.deliveryBufferEntries())
            .append('/')
            .append(metrics.droppedEntries())
            .append('/')
            .append(metrics.logEntries())
            .append(metrics.peerLagEntries());
    for (String region : REGIONS) {
      if (!region.equals(core.self())) {
        text.append(core.acknowledgedBy(region)).append(core.appliedBy(region));
      }
    }
    return text.toString();
  }
}
