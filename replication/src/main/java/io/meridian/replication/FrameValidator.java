package io.meridian.replication;

import io.meridian.clocks.VersionVector;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The checks of a decoded frame that need the receiver's state ({@link FrameCodec} checks its
 * shape). A peer is trusted not to lie, but what it sends is still checked, and a frame that fails
 * any check is rejected whole before anything changes.
 */
final class FrameValidator {
  private static final int DIGEST_BYTES_MAX = 64;

  private final ReplicationConfig config;
  private final Set<String> peers;

  /** The entry this region holds with the same dot as a received one, or null. */
  private final UnaryOperator<LogEntry> heldEntry;

  FrameValidator(ReplicationConfig config, Set<String> peers, UnaryOperator<LogEntry> heldEntry) {
    this.config = config;
    this.peers = peers;
    this.heldEntry = heldEntry;
  }

  /**
   * Checks {@code frame} against this region's state.
   *
   * @param accepted what this region accepted (its own entries it never made are forged)
   * @param acknowledged what this region acknowledges (no stable vector may be above it)
   */
  void validate(Frame frame, VersionVector accepted, VersionVector acknowledged)
      throws RejectedFrameException {
    if (!peers.contains(frame.sender())) {
      throw new RejectedFrameException(FrameVerdict.UNKNOWN_REGION, frame.sender());
    }
    requireKnownRegions(frame.applied());
    requireKnownRegions(frame.stable());
    requireKnownRegions(frame.trimmed());
    requireKnownRegions(frame.acknowledged());
    requireThat(frame.applied().dominates(frame.acknowledged()), "acknowledged above applied");
    requireThat(frame.acknowledged().dominates(frame.stable()), "stable above acknowledged");
    requireThat(frame.applied().dominates(frame.trimmed()), "trimmed above applied");
    requireThat(
        acknowledged.dominates(frame.stable()), "stable above what this region acknowledged");
    requireThat(frame.entries().size() <= config.entriesPerFrameMax(), "too many entries");
    Map<String, Long> lastSeq = new HashMap<>();
    for (LogEntry entry : frame.entries()) {
      requireThat(config.regions().contains(entry.origin()), "unknown origin");
      requireKnownRegions(entry.deps());
      requireThat(entry.updates().size() <= config.updatesPerEntryMax(), "too many updates");
      requireThat(entry.seq() <= frame.applied().get(entry.origin()), "entry beyond applied");
      requireThat(frame.applied().dominates(entry.deps()), "deps beyond applied");
      Long previous = lastSeq.put(entry.origin(), entry.seq());
      requireThat(previous == null || previous + 1 == entry.seq(), "entries out of order");
      requireThat(
          !entry.origin().equals(config.self()) || entry.seq() <= accepted.get(config.self()),
          "an entry of this region it never made");
      LogEntry held = heldEntry.apply(entry);
      requireThat(held == null || held.equals(entry), "entry identity changed");
    }
    if (frame.digestRequest().isPresent()) {
      Frame.DigestRequest request = frame.digestRequest().get();
      requireThat(request.rangeCount() == config.digestRangeCount(), "range count differs");
      for (byte[] digest : request.rangeDigests()) {
        requireThat(digest.length <= DIGEST_BYTES_MAX, "digest too long");
      }
    }
    if (frame.stateChunk().isPresent()) {
      Frame.StateChunk chunk = frame.stateChunk().get();
      requireKnownRegions(chunk.vector());
      requireThat(frame.applied().dominates(chunk.vector()), "snapshot beyond applied");
    }
  }

  private void requireKnownRegions(VersionVector vector) throws RejectedFrameException {
    for (String region : vector.replicas()) {
      requireThat(config.regions().contains(region), "vector names unknown region " + region);
    }
  }

  private static void requireThat(boolean condition, String message) throws RejectedFrameException {
    if (!condition) {
      throw new RejectedFrameException(FrameVerdict.INVARIANT_VIOLATION, message);
    }
  }
}
