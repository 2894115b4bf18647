package io.meridian.replication;

/**
 * What {@link ReplicaCore#step(byte[])} made of a frame. Every verdict but {@link #ACCEPTED} means
 * the frame was rejected, counted, and changed nothing.
 */
public enum FrameVerdict {
  /** The frame was valid; what it carried was taken (duplicates change nothing). */
  ACCEPTED,
  /** Larger than {@link ReplicationConfig#frameBytesMax()}. */
  TOO_LARGE,
  /** Not a frame: bad protobuf, a bad name, a bad vector or entry. */
  MALFORMED,
  /** A protocol version this code does not speak. */
  UNSUPPORTED_VERSION,
  /** From a region not in the configuration, or claiming to be this region. */
  UNKNOWN_REGION,
  /**
   * Well formed but breaking an invariant: an entry beyond what the sender claims applied, a stable
   * or trimmed vector above its applied one, entries of an origin out of order in the frame, a
   * vector naming an unknown region, an entry whose identity contradicts one held here, a stable
   * vector above what this region applied.
   */
  INVARIANT_VIOLATION
}
