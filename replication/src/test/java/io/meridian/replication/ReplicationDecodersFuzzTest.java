package io.meridian.replication;

import static io.meridian.replication.TestFrames.core;
import static io.meridian.replication.TestFrames.cycle;
import static io.meridian.replication.TestFrames.entry;
import static io.meridian.replication.TestFrames.frame;
import static io.meridian.replication.TestFrames.observable;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.meridian.clocks.ClocksCodec;
import io.meridian.clocks.DecodeException;
import io.meridian.clocks.VersionVector;
import io.meridian.replication.proto.FrameProto;
import io.meridian.replication.proto.StateChunkProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Coverage-guided fuzz targets (Jazzer) of the replication decoders: frames from peers ({@link
 * FrameCodec}, {@link FrameValidator}, through {@link ReplicaCore#step}) and log records ({@link
 * LogRecordCodec}). Without {@code JAZZER_FUZZ} each target runs its corpus under {@code
 * src/test/resources/.../ReplicationDecodersFuzzTestInputs/<target>} as a plain test; with it,
 * Jazzer mutates that corpus (docs/notes/2026-12-fuzzing.md). {@link #main} writes the seeds.
 *
 * <p>The property: any input decodes or is refused with the decoder's own error ({@link
 * RejectedFrameException} as a verdict, {@link DecodeException}); a refused frame changes nothing
 * observable; a decoded value re-encodes to bytes that decode to the same value.
 */
class ReplicationDecodersFuzzTest {
  /** Frames larger than this are refused before parsing (the default bound is 4 MiB). */
  private static final int FRAME_BYTES_MAX = 64 * 1024;

  /** What a peer that trimmed its first five entries claims applied and trimmed. */
  private static final VersionVector A5 = VersionVector.of("a", 5);

  @FuzzTest(maxDuration = "20s")
  void frames(byte[] bytes) {
    Frame decoded;
    try {
      decoded = FrameCodec.decode(bytes, FRAME_BYTES_MAX);
    } catch (RejectedFrameException e) {
      assertThat(e.verdict()).isNotEqualTo(FrameVerdict.ACCEPTED);
      decoded = null;
    }
    if (decoded != null) {
      byte[] canonical = encode(decoded);
      Frame again = decodeOrFail(canonical);
      assertThat(encode(again)).isEqualTo(canonical);
    }
    stepLeavesRefusedFramesUnapplied(primedCore(), bytes);
    stepLeavesRefusedFramesUnapplied(transferringCore(), bytes);
  }

  @FuzzTest(maxDuration = "10s")
  void logRecords(byte[] bytes) {
    LogEntry entry;
    try {
      entry = LogRecordCodec.decode(bytes);
    } catch (DecodeException e) {
      return;
    }
    byte[] canonical = LogRecordCodec.encode(entry);
    assertThat(LogRecordCodec.decode(canonical)).isEqualTo(entry);
    assertThat(LogRecordCodec.encodeFromEntryBytes(FrameCodec.encodeEntry(entry)))
        .isEqualTo(canonical);
  }

  private static void stepLeavesRefusedFramesUnapplied(ReplicaCore core, byte[] bytes) {
    String before = observable(core);
    FrameVerdict verdict = core.step(bytes);
    if (verdict != FrameVerdict.ACCEPTED) {
      assertThat(observable(core)).isEqualTo(before);
    }
    // Whatever came in, the core still runs a cycle.
    cycle(core);
  }

  private static Frame decodeOrFail(byte[] bytes) {
    try {
      return FrameCodec.decode(bytes, Integer.MAX_VALUE);
    } catch (RejectedFrameException e) {
      throw new AssertionError("a re-encoded frame is refused: " + e.getMessage(), e);
    }
  }

  /** The canonical bytes of {@code frame}, as a sender writes them. */
  static byte[] encode(Frame frame) {
    FrameProto.Builder builder =
        FrameCodec.header(
            frame.sender(),
            frame.hlc(),
            frame.applied(),
            frame.acknowledged(),
            frame.stable(),
            frame.trimmed());
    for (LogEntry entry : frame.entries()) {
      builder.addEntries(FrameCodec.toProto(entry));
    }
    frame
        .digestRequest()
        .ifPresent(request -> builder.setDigestRequest(FrameCodec.toProto(request)));
    frame
        .stateChunk()
        .ifPresent(
            chunk -> {
              StateChunkProto.Builder proto =
                  StateChunkProto.newBuilder()
                      .setRequestId(chunk.requestId())
                      .setChunkIndex(chunk.chunkIndex())
                      .setChunkCount(chunk.chunkCount())
                      .setVector(ClocksCodec.toProto(chunk.vector()))
                      .setHlcMax(chunk.hlcMax());
              chunk.keyStates().forEach(state -> proto.addKeyStates(FrameCodec.toProto(state)));
              builder.setStateChunk(proto);
            });
    return builder.build().toByteArray();
  }

  /** Region b, having applied a:1 from a. */
  private static ReplicaCore primedCore() {
    ReplicaCore core = core("b", 4);
    core.step(frame("a", VersionVector.of("a", 1), entry("a", 1)));
    cycle(core);
    return core;
  }

  /**
   * Region b, told by a that a trimmed a:1..5: it asked a for a state transfer, so a state chunk
   * from a with the request's id is staged.
   */
  private static ReplicaCore transferringCore() {
    ReplicaCore core = core("b", 4);
    core.step(frame("a", A5, VersionVector.empty(), A5));
    cycle(core);
    return core;
  }

  /** The id of the state transfer {@link #transferringCore} asked for. */
  private static long transferRequestId() {
    ReplicaCore core = core("b", 4);
    core.step(frame("a", A5, VersionVector.empty(), A5));
    for (OutboundFrame out : cycle(core).frames()) {
      Frame sent = decodeOrFail(out.bytes());
      if (sent.digestRequest().isPresent()) {
        return sent.digestRequest().get().requestId();
      }
    }
    throw new AssertionError("no state transfer was asked for");
  }

  /** Writes the seed corpus (valid encodings of each format) under {@code args[0]}. */
  public static void main(String[] args) throws IOException {
    Path root = Path.of(args[0]);
    Path frames = Files.createDirectories(root.resolve("frames"));
    Path records = Files.createDirectories(root.resolve("logRecords"));
    VersionVector a3 = VersionVector.of("a", 3).with("c", 1);
    Files.write(
        frames.resolve("seed-entries"),
        frame(
            "a",
            a3,
            VersionVector.of("a", 1),
            VersionVector.empty(),
            entry("a", 2),
            entry("a", 3, VersionVector.of("c", 1), "z")));
    Files.write(frames.resolve("seed-heartbeat"), frame("c", VersionVector.empty()));
    Files.write(frames.resolve("seed-trimmed"), frame("a", A5, VersionVector.empty(), A5));
    long requestId = transferRequestId();
    FrameProto chunk =
        FrameCodec.header("a", TestFrames.HLC, A5, A5, VersionVector.empty(), A5)
            .setStateChunk(
                StateChunkProto.newBuilder()
                    .setRequestId(requestId)
                    .setChunkIndex(0)
                    .setChunkCount(2)
                    .setVector(ClocksCodec.toProto(A5))
                    .setHlcMax(TestFrames.HLC + 5)
                    .addKeyStates(
                        FrameCodec.toProto(new KeyState("bucket", "k", new byte[] {1, 2, 3}))))
            .build();
    Files.write(frames.resolve("seed-state-chunk"), chunk.toByteArray());
    // Finding: chunk index 2^32 - 1 read as int -1 passed "index < count" and reached staging.
    FrameProto negativeIndex =
        chunk.toBuilder()
            .setStateChunk(chunk.getStateChunk().toBuilder().setChunkIndex(-1))
            .build();
    Files.write(frames.resolve("finding-negative-chunk-index"), negativeIndex.toByteArray());
    FrameProto digest =
        FrameCodec.header("c", TestFrames.HLC, A5, A5, VersionVector.empty(), VersionVector.empty())
            .setDigestRequest(
                FrameCodec.toProto(
                    new Frame.DigestRequest(
                        7, 4, List.of(new byte[32], new byte[32], new byte[32], new byte[32]))))
            .build();
    Files.write(frames.resolve("seed-digest-request"), digest.toByteArray());
    Files.write(records.resolve("seed-first"), LogRecordCodec.encode(entry("a", 1)));
    Files.write(
        records.resolve("seed-deps"),
        LogRecordCodec.encode(entry("c", 4, VersionVector.of("a", 9).with("b", 2), "key")));
  }
}
