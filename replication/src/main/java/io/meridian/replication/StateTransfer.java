package io.meridian.replication;

import com.google.protobuf.CodedOutputStream;
import io.meridian.clocks.ClocksCodec;
import io.meridian.clocks.HybridLogicalClock;
import io.meridian.clocks.VersionVector;
import io.meridian.replication.proto.KeyStateProto;
import io.meridian.replication.proto.StateChunkProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * State transfer, both ends. A region whose missing entries are in no log of a peer that has them
 * asks one such peer, sending its digest per key range; the peer answers with the states of the
 * keys of the ranges that differ and its applied vector, in chunks under the frame bound; the
 * region stages the chunks (at most {@link ReplicationConfig#stateTransferBytesMax()}) and, once
 * all are in, hands the core one snapshot to install whole. One transfer at a time, retried after
 * {@link ReplicationConfig#stateTransferIntervalTicks()}.
 */
final class StateTransfer {
  private final ReplicationConfig config;
  private final HybridLogicalClock clock;
  private final ApplicationState application;

  /** The largest chunk of key states a frame may carry beside its header. */
  private final int chunkBytesMax;

  private String source;
  private long requestId;
  private long requestTick;
  private Staging staging;

  private long requested;
  private long served;
  private long installed;
  private long abandoned;

  StateTransfer(
      ReplicationConfig config,
      HybridLogicalClock clock,
      ApplicationState application,
      int headerReserveBytes) {
    this.config = config;
    this.clock = clock;
    this.application = application;
    this.chunkBytesMax = config.frameBytesMax() - headerReserveBytes * 2;
  }

  /**
   * Answers the digest request {@code peer} sent, if any: the key states of every range whose
   * digest differs, as of {@code applied}, in chunks. A transfer over the bounds is abandoned
   * (counted).
   */
  void serve(PeerState peer, VersionVector applied, long appliedHlcMax, Outbox out) {
    Frame.DigestRequest request = peer.digestToServe;
    if (request == null) {
      return;
    }
    peer.digestToServe = null;
    List<byte[]> mine = application.rangeDigests(request.rangeCount());
    TreeSet<Integer> differing = new TreeSet<>();
    for (int range = 0; range < request.rangeCount(); range++) {
      if (!Arrays.equals(mine.get(range), request.rangeDigests().get(range))) {
        differing.add(range);
      }
    }
    List<KeyState> states =
        differing.isEmpty() ? List.of() : application.keyStates(differing, request.rangeCount());
    List<List<KeyStateProto>> chunks = new ArrayList<>();
    List<KeyStateProto> current = new ArrayList<>();
    long total = 0;
    int currentBytes = 0;
    for (KeyState state : states) {
      KeyStateProto proto = FrameCodec.toProto(state);
      int size =
          CodedOutputStream.computeMessageSize(StateChunkProto.KEY_STATES_FIELD_NUMBER, proto);
      total += stagedBytes(state);
      if (size > chunkBytesMax || total > config.stateTransferBytesMax()) {
        abandoned++;
        return;
      }
      if (currentBytes + size > chunkBytesMax) {
        chunks.add(current);
        current = new ArrayList<>();
        currentBytes = 0;
      }
      current.add(proto);
      currentBytes += size;
    }
    chunks.add(current);
    for (int index = 0; index < chunks.size(); index++) {
      StateChunkProto chunk =
          StateChunkProto.newBuilder()
              .setRequestId(request.requestId())
              .setChunkIndex(index)
              .setChunkCount(chunks.size())
              .setVector(ClocksCodec.toProto(applied))
              .setHlcMax(appliedHlcMax)
              .addAllKeyStates(chunks.get(index))
              .build();
      out.emit(peer, out.header().setStateChunk(chunk), 0);
    }
    served++;
  }

  /**
   * Asks a peer for a state transfer when some origin's entries that this region lacks (beyond
   * {@code accepted}) are no longer in the log of any peer known to have them.
   */
  void requestIfNeeded(VersionVector accepted, Map<String, PeerState> peers, Outbox out) {
    long ticks = out.ticks();
    if (source != null) {
      if (ticks - requestTick < config.stateTransferIntervalTicks()) {
        return;
      }
      source = null;
      staging = null;
    }
    String chosen = null;
    for (String origin : config.regions()) {
      long have = accepted.get(origin);
      String candidate = null;
      boolean servable = false;
      for (Map.Entry<String, PeerState> entry : peers.entrySet()) {
        PeerState peer = entry.getValue();
        if (peer.known.get(origin) > have) {
          if (peer.trimmed.get(origin) > have) {
            candidate = candidate == null ? entry.getKey() : candidate;
          } else {
            servable = true;
          }
        }
      }
      if (candidate != null && !servable) {
        chosen = candidate;
        break;
      }
    }
    if (chosen == null) {
      return;
    }
    source = chosen;
    requestTick = ticks;
    requestId = clock.now();
    staging = null;
    Frame.DigestRequest request =
        new Frame.DigestRequest(
            requestId,
            config.digestRangeCount(),
            application.rangeDigests(config.digestRangeCount()));
    requested++;
    out.emit(peers.get(chosen), out.header().setDigestRequest(FrameCodec.toProto(request)), 0);
  }

  /** True while a transfer is asked for: its retry is counted in ticks. */
  boolean underWay() {
    return source != null;
  }

  /**
   * Stages a chunk of the transfer asked of {@code sender}. Returns the complete snapshot once
   * every chunk is in and it brings something {@code accepted} lacks, else null.
   */
  StateSnapshot stage(String sender, Frame.StateChunk chunk, VersionVector accepted) {
    if (!sender.equals(source) || chunk.requestId() != requestId) {
      return null;
    }
    if (staging == null
        || !staging.vector.equals(chunk.vector())
        || staging.chunks.length != chunk.chunkCount()) {
      staging = new Staging(chunk.vector(), chunk.hlcMax(), chunk.chunkCount());
    }
    if (staging.chunks[chunk.chunkIndex()] != null) {
      return null;
    }
    long size = 0;
    for (KeyState state : chunk.keyStates()) {
      size += stagedBytes(state);
    }
    if (staging.bytes + size > config.stateTransferBytesMax()) {
      staging = null;
      abandoned++;
      return null;
    }
    staging.bytes += size;
    staging.chunks[chunk.chunkIndex()] = chunk.keyStates();
    staging.received++;
    if (staging.received < staging.chunks.length) {
      return null;
    }
    Staging complete = staging;
    staging = null;
    source = null;
    if (accepted.dominates(complete.vector)) {
      return null;
    }
    List<KeyState> states = new ArrayList<>();
    for (List<KeyState> part : complete.chunks) {
      states.addAll(part);
    }
    installed++;
    return new StateSnapshot(sender, complete.vector, complete.hlcMax, states);
  }

  /** What a key state counts against {@link ReplicationConfig#stateTransferBytesMax()}. */
  private static long stagedBytes(KeyState state) {
    return state.stateUnsafe().length + 2L * KeyUpdate.NAME_BYTES_MAX;
  }

  long requested() {
    return requested;
  }

  long served() {
    return served;
  }

  long installed() {
    return installed;
  }

  long abandoned() {
    return abandoned;
  }

  /** Chunks of one state transfer received so far. */
  private static final class Staging {
    final VersionVector vector;
    final long hlcMax;
    final List<KeyState>[] chunks;
    int received;
    long bytes;

    @SuppressWarnings("unchecked")
    Staging(VersionVector vector, long hlcMax, int chunkCount) {
      this.vector = vector;
      this.hlcMax = hlcMax;
      this.chunks = new List[chunkCount];
    }
  }
}
