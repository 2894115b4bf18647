package io.meridian.replication;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.meridian.clocks.ClocksCodec;
import io.meridian.clocks.DecodeException;
import io.meridian.clocks.HlcTimestamp;
import io.meridian.clocks.ReplicaIds;
import io.meridian.clocks.VersionVector;
import io.meridian.replication.proto.DigestRequestProto;
import io.meridian.replication.proto.EntryProto;
import io.meridian.replication.proto.FrameProto;
import io.meridian.replication.proto.KeyStateProto;
import io.meridian.replication.proto.KeyUpdateProto;
import io.meridian.replication.proto.StateChunkProto;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Encodes and decodes frames. Decoding checks the shape of everything (names, vectors, the chain
 * invariant of each entry) and throws only {@link RejectedFrameException}; checks that need the
 * receiver's state live in {@link ReplicaCore}.
 */
final class FrameCodec {
  /** The protocol version this code speaks. */
  static final int PROTOCOL_VERSION = 1;

  /** Largest chunk count of one state transfer accepted. */
  static final int CHUNK_COUNT_MAX = 1 << 16;

  private FrameCodec() {}

  static FrameProto.Builder header(
      String sender,
      long hlc,
      VersionVector applied,
      VersionVector acknowledged,
      VersionVector stable,
      VersionVector trimmed) {
    return FrameProto.newBuilder()
        .setProtocolVersion(PROTOCOL_VERSION)
        .setSender(sender)
        .setHlc(hlc)
        .setApplied(ClocksCodec.toProto(applied))
        .setStable(ClocksCodec.toProto(stable))
        .setTrimmed(ClocksCodec.toProto(trimmed))
        .setAcknowledged(ClocksCodec.toProto(acknowledged));
  }

  /**
   * The parts of a frame's header that stay the same for every frame of one {@link
   * ReplicaCore#ready()}: everything but the HLC, encoded once (the acknowledged vector, field 10,
   * goes after the entries). A frame written by {@link #writeFrame} from these parts has exactly
   * the bytes protobuf gives for the {@link #header} builder with the same values and the same
   * entries added (fields in number order, a message field as its tag, length and bytes), which
   * {@code FrameCodecTest} checks.
   */
  static final class HeaderParts {
    final VersionVector applied;
    final VersionVector acknowledged;
    final VersionVector stable;
    final VersionVector trimmed;

    /** Fields 1 (protocol version) and 2 (sender). */
    private final byte[] leading;

    /** Fields 4, 5 and 6 (applied, stable, trimmed), each a nested vector. */
    private final byte[] vectors;

    /** Field 10 (acknowledged), after the entries (field 7). */
    private final byte[] trailing;

    HeaderParts(
        String sender,
        VersionVector applied,
        VersionVector acknowledged,
        VersionVector stable,
        VersionVector trimmed) {
      this.applied = applied;
      this.acknowledged = acknowledged;
      this.stable = stable;
      this.trimmed = trimmed;
      this.leading =
          FrameProto.newBuilder()
              .setProtocolVersion(PROTOCOL_VERSION)
              .setSender(sender)
              .build()
              .toByteArray();
      this.vectors =
          FrameProto.newBuilder()
              .setApplied(ClocksCodec.toProto(applied))
              .setStable(ClocksCodec.toProto(stable))
              .setTrimmed(ClocksCodec.toProto(trimmed))
              .build()
              .toByteArray();
      this.trailing =
          FrameProto.newBuilder()
              .setAcknowledged(ClocksCodec.toProto(acknowledged))
              .build()
              .toByteArray();
    }

    /** True when these parts were made from exactly these vectors (they are immutable). */
    boolean madeOf(
        VersionVector applied,
        VersionVector acknowledged,
        VersionVector stable,
        VersionVector trimmed) {
      return this.applied == applied
          && this.acknowledged == acknowledged
          && this.stable == stable
          && this.trimmed == trimmed;
    }

    /** Bytes of a header with HLC {@code hlc} (proto3 leaves a zero HLC out). */
    int size(long hlc) {
      return leading.length + hlcSize(hlc) + vectors.length + trailing.length;
    }
  }

  private static int hlcSize(long hlc) {
    return hlc == 0 ? 0 : CodedOutputStream.computeFixed64Size(FrameProto.HLC_FIELD_NUMBER, hlc);
  }

  /**
   * A frame of the header parts, the HLC and {@code count} encoded entries from {@code entries}
   * (each the bytes of an {@link EntryProto}), in that order.
   */
  static byte[] writeFrame(HeaderParts header, long hlc, byte[][] entries, int count) {
    int size = header.size(hlc);
    for (int i = 0; i < count; i++) {
      size += entrySizeInFrame(entries[i]);
    }
    byte[] bytes = new byte[size];
    CodedOutputStream output = CodedOutputStream.newInstance(bytes);
    try {
      output.writeRawBytes(header.leading);
      if (hlc != 0) {
        output.writeFixed64(FrameProto.HLC_FIELD_NUMBER, hlc);
      }
      output.writeRawBytes(header.vectors);
      for (int i = 0; i < count; i++) {
        output.writeByteArray(FrameProto.ENTRIES_FIELD_NUMBER, entries[i]);
      }
      output.writeRawBytes(header.trailing);
      output.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new IllegalStateException("frame size computed wrongly", e);
    }
    return bytes;
  }

  /** The bytes of an entry's {@link EntryProto}, as a frame or a log record nests them. */
  static byte[] encodeEntry(LogEntry entry) {
    return toProto(entry).toByteArray();
  }

  /** Bytes an entry encoded by {@link #encodeEntry} adds to a frame. */
  static int entrySizeInFrame(byte[] encodedEntry) {
    return CodedOutputStream.computeByteArraySize(FrameProto.ENTRIES_FIELD_NUMBER, encodedEntry);
  }

  static EntryProto toProto(LogEntry entry) {
    EntryProto.Builder builder =
        EntryProto.newBuilder()
            .setOrigin(entry.origin())
            .setSeq(entry.seq())
            .setHlc(entry.hlc())
            .setDeps(ClocksCodec.toProto(entry.deps()));
    for (KeyUpdate update : entry.updates()) {
      builder.addUpdates(
          KeyUpdateProto.newBuilder()
              .setBucket(update.bucket())
              .setKey(update.key())
              .setEffect(ByteString.copyFrom(update.effectUnsafe())));
    }
    return builder.build();
  }

  /** Bytes an entry adds to a frame. */
  static int entrySizeInFrame(EntryProto entry) {
    return CodedOutputStream.computeMessageSize(FrameProto.ENTRIES_FIELD_NUMBER, entry);
  }

  static KeyStateProto toProto(KeyState state) {
    return KeyStateProto.newBuilder()
        .setBucket(state.bucket())
        .setKey(state.key())
        .setState(ByteString.copyFrom(state.stateUnsafe()))
        .build();
  }

  static DigestRequestProto toProto(Frame.DigestRequest request) {
    DigestRequestProto.Builder builder =
        DigestRequestProto.newBuilder()
            .setRequestId(request.requestId())
            .setRangeCount(request.rangeCount());
    for (byte[] digest : request.rangeDigests()) {
      builder.addRangeDigests(ByteString.copyFrom(digest));
    }
    return builder.build();
  }

  static Frame decode(byte[] bytes, int frameBytesMax) throws RejectedFrameException {
    if (bytes == null || bytes.length > frameBytesMax) {
      throw new RejectedFrameException(FrameVerdict.TOO_LARGE, "frame over " + frameBytesMax);
    }
    FrameProto proto;
    try {
      proto = FrameProto.parseFrom(bytes);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      throw new RejectedFrameException(FrameVerdict.MALFORMED, "not a frame: " + e.getMessage());
    }
    if (proto.getProtocolVersion() != PROTOCOL_VERSION) {
      throw new RejectedFrameException(
          FrameVerdict.UNSUPPORTED_VERSION, "protocol version " + proto.getProtocolVersion());
    }
    try {
      return fromProto(proto);
    } catch (DecodeException | IllegalArgumentException | ArithmeticException e) {
      throw new RejectedFrameException(FrameVerdict.MALFORMED, e.getMessage());
    }
  }

  private static Frame fromProto(FrameProto proto) {
    String sender = ClocksCodec.requireReplica(proto.getSender());
    long hlc = ClocksCodec.requireHlc(proto.getHlc());
    List<LogEntry> entries = new ArrayList<>(proto.getEntriesCount());
    for (EntryProto entry : proto.getEntriesList()) {
      entries.add(fromProto(entry));
    }
    Optional<Frame.DigestRequest> digestRequest = Optional.empty();
    if (proto.hasDigestRequest()) {
      DigestRequestProto request = proto.getDigestRequest();
      if (request.getRangeCount() < 1
          || request.getRangeDigestsCount() != request.getRangeCount()) {
        throw new DecodeException("digest request needs one digest per range");
      }
      List<byte[]> digests = new ArrayList<>();
      for (ByteString digest : request.getRangeDigestsList()) {
        digests.add(digest.toByteArray());
      }
      digestRequest =
          Optional.of(
              new Frame.DigestRequest(request.getRequestId(), request.getRangeCount(), digests));
    }
    Optional<Frame.StateChunk> stateChunk = Optional.empty();
    if (proto.hasStateChunk()) {
      StateChunkProto chunk = proto.getStateChunk();
      // Both are uint32 on the wire: a value of 2^31 or more reads as a negative int.
      if (chunk.getChunkCount() < 1
          || chunk.getChunkCount() > CHUNK_COUNT_MAX
          || chunk.getChunkIndex() < 0
          || chunk.getChunkIndex() >= chunk.getChunkCount()) {
        throw new DecodeException("bad chunk numbering");
      }
      List<KeyState> states = new ArrayList<>();
      for (KeyStateProto state : chunk.getKeyStatesList()) {
        states.add(new KeyState(state.getBucket(), state.getKey(), state.getState().toByteArray()));
      }
      stateChunk =
          Optional.of(
              new Frame.StateChunk(
                  chunk.getRequestId(),
                  chunk.getChunkIndex(),
                  chunk.getChunkCount(),
                  ClocksCodec.fromProto(chunk.getVector()),
                  ClocksCodec.requireHlc(chunk.getHlcMax()),
                  states));
    }
    return new Frame(
        sender,
        hlc,
        ClocksCodec.fromProto(proto.getApplied()),
        ClocksCodec.fromProto(proto.getStable()),
        ClocksCodec.fromProto(proto.getTrimmed()),
        ClocksCodec.fromProto(proto.getAcknowledged()),
        entries,
        digestRequest,
        stateChunk);
  }

  static LogEntry fromProto(EntryProto entry) {
    if (!ReplicaIds.isValid(entry.getOrigin())) {
      throw new DecodeException("invalid origin");
    }
    if (!HlcTimestamp.isValid(entry.getHlc())) {
      throw new DecodeException("invalid entry HLC");
    }
    List<KeyUpdate> updates = new ArrayList<>(entry.getUpdatesCount());
    for (KeyUpdateProto update : entry.getUpdatesList()) {
      updates.add(
          KeyUpdate.owning(update.getBucket(), update.getKey(), update.getEffect().toByteArray()));
    }
    return new LogEntry(
        entry.getOrigin(),
        entry.getSeq(),
        entry.getHlc(),
        ClocksCodec.fromProto(entry.getDeps()),
        updates);
  }
}
