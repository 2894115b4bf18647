package io.meridian.replication;

import io.meridian.clocks.VersionVector;
import io.meridian.replication.EntryLog.LogSlot;
import io.meridian.replication.EntryLog.OriginLog;
import java.util.Map;

/**
 * Sending and relaying, per peer. Each peer gets, in log order, every entry of the log it has
 * neither acknowledged nor been sent, this region's own at once and others' after the relay rule
 * lets them go, unchanged; at most {@link ReplicationConfig#inFlightEntriesPerPeerMax()} beyond its
 * acknowledgement, everything again after {@link ReplicationConfig#resendIntervalTicks()} without
 * progress (go-back-N), and a heartbeat when nothing else went for {@link
 * ReplicationConfig#heartbeatIntervalTicks()}. No entry goes to a peer before it was heard from.
 */
final class PeerSender {
  private static final byte[][] NO_ENTRIES = new byte[0][];

  private final ReplicationConfig config;
  private final EntryLog log;

  PeerSender(ReplicationConfig config, EntryLog log) {
    this.config = config;
    this.log = log;
  }

  /**
   * A frame of {@code peer} arrived with its applied vector: notes its progress for the relay rule
   * and what it applied, which restarts the resend interval when it moved.
   */
  void heard(PeerState peer, VersionVector peerApplied, long ticks) {
    peer.heardFrom = true;
    noteProgress(peer, peerApplied, ticks);
    if (!peer.known.dominates(peerApplied)) {
      peer.known = peer.known.merge(peerApplied);
      peer.inFlightSinceTick = ticks;
    }
  }

  /**
   * Records when the peer last advanced on each origin beyond what this region sent it (so another
   * region, normally the origin, is delivering), and treats hearing from it after a silence as such
   * progress on every origin: after a partition heals, each origin gets the time to send its own
   * entries before the others relay them.
   */
  private void noteProgress(PeerState peer, VersionVector peerApplied, long ticks) {
    if (ticks - peer.lastHeardTick > config.relayDelayTicks()) {
      for (String origin : config.regions()) {
        peer.progressTick.put(origin, ticks);
      }
    }
    peer.lastHeardTick = ticks;
    for (String origin : peerApplied.replicas()) {
      long reached = peerApplied.get(origin);
      if (reached > peer.known.get(origin) && reached > peer.sent.get(origin)) {
        peer.progressTick.put(origin, ticks);
      }
    }
  }

  /**
   * The entries (and the heartbeat) due to {@code peer} now, out of the log up to {@code applied}.
   */
  void send(PeerState peer, VersionVector applied, Outbox out) {
    long ticks = out.ticks();
    boolean inFlight = !peer.known.dominates(peer.sent);
    if (inFlight && ticks - peer.inFlightSinceTick >= config.resendIntervalTicks()) {
      peer.sent = peer.known;
      peer.inFlightSinceTick = ticks;
      inFlight = false;
    }
    VersionVector have = peer.known.merge(peer.sent);
    long unsent = 0;
    long sentBeyondAcknowledged = 0;
    for (String origin : applied.replicas()) {
      unsent += Math.max(0, applied.get(origin) - have.get(origin));
      sentBeyondAcknowledged += Math.max(0, have.get(origin) - peer.known.get(origin));
    }
    long budget = config.inFlightEntriesPerPeerMax() - sentBeyondAcknowledged;
    boolean windowOver =
        ticks - peer.lastEntriesTick >= config.batchWindowTicks()
            || unsent >= config.entriesPerFrameMax();
    if (peer.heardFrom && unsent > 0 && budget > 0 && windowOver) {
      int before = out.frameCount();
      sendEntryFrames(peer, have, budget, out);
      if (out.frameCount() > before) {
        if (!inFlight) {
          peer.inFlightSinceTick = ticks;
        }
        peer.lastEntriesTick = ticks;
      }
    }
    if (ticks - peer.lastFrameTick >= config.heartbeatIntervalTicks()) {
      out.emit(peer, FrameCodec.writeFrame(out.headerParts(), out.now(), NO_ENTRIES, 0), 0);
    }
  }

  /**
   * Sends the peer, in log order, the entries it has neither acknowledged nor been sent, up to
   * {@code budget}. Each origin's log is indexed by seq, so the search starts at the peer's
   * position {@code have[origin] + 1} instead of the head of the log: per origin the entries to
   * send are a run of consecutive seqs from there, ended by the log's end or by the first entry the
   * relay rule holds back (later entries of the origin entered the log no earlier, so they are held
   * back too), and the runs are merged by log position. Each entry's encoded form is made once and
   * reused for every frame and peer that carries it.
   */
  private void sendEntryFrames(PeerState peer, VersionVector have, long budget, Outbox out) {
    FrameCodec.HeaderParts parts = out.headerParts();
    long hlc = out.now();
    int headerBytes = parts.size(hlc);
    Map<String, OriginLog> logs = log.origins();
    int origins = logs.size();
    String[] names = new String[origins];
    OriginLog[] originLogs = new OriginLog[origins];
    LogSlot[] next = new LogSlot[origins];
    long[] sentUpTo = new long[origins];
    int index = 0;
    for (Map.Entry<String, OriginLog> origin : logs.entrySet()) {
      names[index] = origin.getKey();
      originLogs[index] = origin.getValue();
      next[index] = sendable(peer, origin.getValue().get(have.get(origin.getKey()) + 1), out);
      index++;
    }
    byte[][] batch = new byte[(int) Math.min(config.entriesPerFrameMax(), budget)][];
    int bytes = headerBytes;
    int count = 0;
    long remaining = budget;
    while (remaining > 0) {
      int best = -1;
      for (int i = 0; i < origins; i++) {
        if (next[i] != null && (best < 0 || next[i].position < next[best].position)) {
          best = i;
        }
      }
      if (best < 0) {
        break;
      }
      LogSlot slot = next[best];
      byte[] encoded = slot.encoded();
      int size = FrameCodec.entrySizeInFrame(encoded);
      if (count == config.entriesPerFrameMax() || bytes + size > config.frameBytesMax()) {
        out.emit(peer, FrameCodec.writeFrame(parts, hlc, batch, count), count);
        hlc = out.now();
        bytes = headerBytes;
        count = 0;
      }
      batch[count++] = encoded;
      bytes += size;
      remaining--;
      long seq = slot.entry.seq();
      sentUpTo[best] = seq;
      next[best] = sendable(peer, originLogs[best].get(seq + 1), out);
    }
    if (count > 0) {
      out.emit(peer, FrameCodec.writeFrame(parts, hlc, batch, count), count);
    }
    VersionVector covered = have;
    for (int i = 0; i < origins; i++) {
      if (sentUpTo[i] > 0) {
        covered = covered.with(names[i], sentUpTo[i]);
      }
    }
    peer.sent = peer.sent.merge(covered);
  }

  /** {@code slot}, or null when there is none or the relay rule holds it back from the peer. */
  private LogSlot sendable(PeerState peer, LogSlot slot, Outbox out) {
    return slot == null || relayTooEarly(peer, slot, out.ticks()) ? null : slot;
  }

  /**
   * An entry of another origin waits {@code relayDelayTicks} after it entered the log, and after
   * the peer last made progress on that origin through someone else (or was heard from again after
   * a silence): while the origin keeps delivering its own entries, relaying them too would only
   * send the peer a second copy. Once the peer stalls on the origin (a cut link, the origin down),
   * this region relays, and keeps relaying while the peer's progress is its own doing.
   */
  private boolean relayTooEarly(PeerState peer, LogSlot slot, long ticks) {
    if (slot.loggedTick == LogSlot.NOT_RELAYED) {
      return false;
    }
    long logged = slot.loggedTick;
    Long progress = peer.progressTick.get(slot.entry.origin());
    long since = progress == null ? logged : Math.max(logged, progress);
    return ticks - since < config.relayDelayTicks();
  }
}
