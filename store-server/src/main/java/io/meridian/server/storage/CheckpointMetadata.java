package io.meridian.server.storage;

import io.meridian.clocks.VersionVector;
import java.util.Objects;

/**
 * What a checkpoint reflects: the applied vector of the region when it was taken, the last update
 * log index whose effect is in its key states (replay resumes after it), and the checkpoint's own
 * sequence number (1 for the first). Immutable; {@link #equals} is structural.
 */
public final class CheckpointMetadata {
  private final VersionVector appliedVector;
  private final long logIndex;
  private final long sequence;

  public CheckpointMetadata(VersionVector appliedVector, long logIndex, long sequence) {
    if (logIndex < 0) {
      throw new IllegalArgumentException("logIndex must not be negative: " + logIndex);
    }
    if (sequence < 1) {
      throw new IllegalArgumentException("sequence must be at least 1: " + sequence);
    }
    this.appliedVector = Objects.requireNonNull(appliedVector, "appliedVector");
    this.logIndex = logIndex;
    this.sequence = sequence;
  }

  public VersionVector appliedVector() {
    return appliedVector;
  }

  public long logIndex() {
    return logIndex;
  }

  public long sequence() {
    return sequence;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof CheckpointMetadata metadata
        && logIndex == metadata.logIndex
        && sequence == metadata.sequence
        && appliedVector.equals(metadata.appliedVector);
  }

  @Override
  public int hashCode() {
    return Objects.hash(appliedVector, logIndex, sequence);
  }

  @Override
  public String toString() {
    return "CheckpointMetadata{applied="
        + appliedVector
        + ", logIndex="
        + logIndex
        + ", sequence="
        + sequence
        + "}";
  }
}
