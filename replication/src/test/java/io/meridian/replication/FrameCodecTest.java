package io.meridian.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.clocks.VersionVector;
import io.meridian.replication.proto.FrameProto;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/**
 * The frames the core writes from pre-encoded parts (header vectors encoded once per {@code Ready},
 * each entry encoded once) must be byte for byte the frames protobuf builds from the same values,
 * so peers and older code see no difference.
 */
class FrameCodecTest {
  private static final List<String> NAMES = List.of("a", "b", "c", "region-1", "west-europe");

  @Property
  void writtenFramesEqualProtobufBuiltFrames(@ForAll long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    String sender = NAMES.get(random.nextInt(NAMES.size()));
    VersionVector applied = randomVector(random);
    VersionVector acknowledged = randomVector(random);
    VersionVector stable = randomVector(random);
    VersionVector trimmed = randomVector(random);
    long hlc = random.nextInt(8) == 0 ? 0 : TestFrames.HLC + random.nextLong(1L << 40);
    int count = random.nextInt(6);
    List<LogEntry> entries = new ArrayList<>();
    byte[][] encoded = new byte[count + random.nextInt(3)][];
    for (int i = 0; i < count; i++) {
      LogEntry entry = randomEntry(random);
      entries.add(entry);
      encoded[i] = FrameCodec.encodeEntry(entry);
    }
    FrameProto.Builder builder =
        FrameCodec.header(sender, hlc, applied, acknowledged, stable, trimmed);
    for (LogEntry entry : entries) {
      builder.addEntries(FrameCodec.toProto(entry));
    }
    byte[] expected = builder.build().toByteArray();

    FrameCodec.HeaderParts parts =
        new FrameCodec.HeaderParts(sender, applied, acknowledged, stable, trimmed);
    byte[] written = FrameCodec.writeFrame(parts, hlc, encoded, count);

    assertThat(written).isEqualTo(expected);
    assertThat(parts.size(hlc))
        .isEqualTo(
            FrameCodec.header(sender, hlc, applied, acknowledged, stable, trimmed)
                .build()
                .toByteArray()
                .length);
    for (int i = 0; i < count; i++) {
      assertThat(FrameCodec.entrySizeInFrame(encoded[i]))
          .isEqualTo(FrameCodec.entrySizeInFrame(FrameCodec.toProto(entries.get(i))));
    }
  }

  @Property
  void logRecordsFromEntryBytesEqualEncodedRecords(@ForAll long seed) {
    LogEntry entry = randomEntry(new SplittableRandom(seed));
    byte[] record = LogRecordCodec.encodeFromEntryBytes(FrameCodec.encodeEntry(entry));

    assertThat(record).isEqualTo(LogRecordCodec.encode(entry));
    assertThat(LogRecordCodec.decode(record)).isEqualTo(entry);
  }

  @Test
  void headerPartsKnowTheVectorsTheyWereMadeOf() {
    VersionVector applied = VersionVector.of("a", 3);
    VersionVector stable = VersionVector.of("a", 1);
    VersionVector acknowledged = VersionVector.of("a", 2);
    FrameCodec.HeaderParts parts =
        new FrameCodec.HeaderParts("b", applied, acknowledged, stable, VersionVector.empty());
    assertThat(parts.madeOf(applied, acknowledged, stable, VersionVector.empty())).isTrue();
    assertThat(parts.madeOf(VersionVector.of("a", 3), acknowledged, stable, VersionVector.empty()))
        .isFalse();
    assertThat(parts.madeOf(applied, applied, stable, VersionVector.empty())).isFalse();
    assertThat(parts.madeOf(applied, acknowledged, applied, VersionVector.empty())).isFalse();
  }

  @Test
  void writtenFramesDecodeToTheirValues() throws RejectedFrameException {
    LogEntry first = TestFrames.entry("a", 1);
    LogEntry second = TestFrames.entry("a", 2, VersionVector.of("c", 4), "k");
    VersionVector applied = VersionVector.of("a", 2).with("c", 4);
    VersionVector acknowledged = VersionVector.of("a", 1).with("c", 4);
    FrameCodec.HeaderParts parts =
        new FrameCodec.HeaderParts(
            "a", applied, acknowledged, VersionVector.of("c", 1), VersionVector.empty());
    byte[] bytes =
        FrameCodec.writeFrame(
            parts,
            TestFrames.HLC,
            new byte[][] {FrameCodec.encodeEntry(first), FrameCodec.encodeEntry(second)},
            2);

    Frame frame = FrameCodec.decode(bytes, 1 << 20);

    assertThat(frame.sender()).isEqualTo("a");
    assertThat(frame.hlc()).isEqualTo(TestFrames.HLC);
    assertThat(frame.applied()).isEqualTo(applied);
    assertThat(frame.acknowledged()).isEqualTo(acknowledged);
    assertThat(frame.stable()).isEqualTo(VersionVector.of("c", 1));
    assertThat(frame.trimmed()).isEqualTo(VersionVector.empty());
    assertThat(frame.entries()).containsExactly(first, second);
  }

  private static VersionVector randomVector(SplittableRandom random) {
    VersionVector vector = VersionVector.empty();
    for (String name : NAMES) {
      if (random.nextBoolean()) {
        vector = vector.with(name, 1 + random.nextLong(random.nextBoolean() ? 200 : 1L << 50));
      }
    }
    return vector;
  }

  private static LogEntry randomEntry(SplittableRandom random) {
    String origin = NAMES.get(random.nextInt(NAMES.size()));
    long seq = 1 + random.nextLong(random.nextBoolean() ? 300 : 1L << 40);
    VersionVector deps = randomVector(random).with(origin, seq - 1);
    List<KeyUpdate> updates = new ArrayList<>();
    int size = 1 + random.nextInt(4);
    for (int i = 0; i < size; i++) {
      byte[] effect = new byte[random.nextInt(random.nextBoolean() ? 16 : 400)];
      random.nextBytes(effect);
      updates.add(
          new KeyUpdate("bucket-" + random.nextInt(3), "käy-" + random.nextInt(1000), effect));
    }
    return new LogEntry(origin, seq, TestFrames.HLC + random.nextLong(1L << 30), deps, updates);
  }
}
