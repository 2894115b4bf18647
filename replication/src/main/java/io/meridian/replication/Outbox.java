package io.meridian.replication;

import io.meridian.clocks.HybridLogicalClock;
import io.meridian.clocks.VersionVector;
import io.meridian.replication.proto.FrameProto;
import java.util.ArrayList;
import java.util.List;

/**
 * The frames of one {@code Ready}, as the sending and the state transfer make them: every header
 * carries the vectors this region had when the {@code Ready} was made (each frame its own HLC), and
 * every frame is checked against the frame bound and counted.
 */
final class Outbox {
  private final ReplicationConfig config;
  private final HybridLogicalClock clock;
  private final List<OutboundFrame> frames = new ArrayList<>();

  private long ticks;
  private VersionVector applied;
  private VersionVector acknowledged;
  private VersionVector stable;
  private VersionVector trimmed;

  /** The header parts of the vectors last sent, reused while the vectors stay the same. */
  private FrameCodec.HeaderParts headerParts;

  private long framesSent;
  private long bytesSent;
  private long entriesSent;

  Outbox(ReplicationConfig config, HybridLogicalClock clock) {
    this.config = config;
    this.clock = clock;
  }

  /** Starts the frames of a new {@code Ready}, whose headers carry these vectors. */
  void start(
      long ticks,
      VersionVector applied,
      VersionVector acknowledged,
      VersionVector stable,
      VersionVector trimmed) {
    frames.clear();
    this.ticks = ticks;
    this.applied = applied;
    this.acknowledged = acknowledged;
    this.stable = stable;
    this.trimmed = trimmed;
  }

  /** How many frames were made since {@link #start}. */
  int frameCount() {
    return frames.size();
  }

  /** The frames made since {@link #start}, which the outbox then forgets. */
  List<OutboundFrame> finish() {
    List<OutboundFrame> made = List.copyOf(frames);
    frames.clear();
    return made;
  }

  long ticks() {
    return ticks;
  }

  /** A header with the current HLC, for a frame built with protobuf. */
  FrameProto.Builder header() {
    return FrameCodec.header(config.self(), clock.now(), applied, acknowledged, stable, trimmed);
  }

  /** The header parts of the vectors, encoded again only when a vector changed. */
  FrameCodec.HeaderParts headerParts() {
    if (headerParts == null || !headerParts.madeOf(applied, acknowledged, stable, trimmed)) {
      headerParts =
          new FrameCodec.HeaderParts(config.self(), applied, acknowledged, stable, trimmed);
    }
    return headerParts;
  }

  /** The HLC for the next frame written from {@link #headerParts()}. */
  long now() {
    return clock.now();
  }

  void emit(PeerState peer, FrameProto.Builder builder, int entries) {
    emit(peer, builder.build().toByteArray(), entries);
  }

  void emit(PeerState peer, byte[] bytes, int entries) {
    if (bytes.length > config.frameBytesMax()) {
      throw new IllegalStateException("built a frame over the bound: " + bytes.length);
    }
    frames.add(new OutboundFrame(peer.name, bytes));
    peer.lastFrameTick = ticks;
    framesSent++;
    bytesSent += bytes.length;
    entriesSent += entries;
  }

  long framesSent() {
    return framesSent;
  }

  long bytesSent() {
    return bytesSent;
  }

  long entriesSent() {
    return entriesSent;
  }
}
