package io.meridian.replication;

import io.meridian.clocks.VersionVector;
import java.util.List;
import java.util.Optional;

/** A decoded frame; see {@code replication.proto} for the meaning of each part. */
record Frame(
    String sender,
    long hlc,
    VersionVector applied,
    VersionVector stable,
    VersionVector trimmed,
    VersionVector acknowledged,
    List<LogEntry> entries,
    Optional<DigestRequest> digestRequest,
    Optional<StateChunk> stateChunk) {

  Frame {
    entries = List.copyOf(entries);
  }

  /** A request for the key states of every range whose digest differs from these. */
  record DigestRequest(long requestId, int rangeCount, List<byte[]> rangeDigests) {
    DigestRequest {
      rangeDigests = List.copyOf(rangeDigests);
    }
  }

  /** One chunk of a state transfer. */
  record StateChunk(
      long requestId,
      int chunkIndex,
      int chunkCount,
      VersionVector vector,
      long hlcMax,
      List<KeyState> keyStates) {
    StateChunk {
      keyStates = List.copyOf(keyStates);
    }
  }
}
