package io.meridian.server.region;

import com.google.protobuf.ByteString;
import io.meridian.clocks.VersionVector;
import io.meridian.server.storage.CheckpointMetadata;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;
import java.util.function.Consumer;

/**
 * The checkpoint store as a {@link RegionDriver} uses it: read once at open, then commit changed
 * states with the vector and log index they reflect. The server's implementation commits MapDB on a
 * worker and calls back on the driver's thread.
 */
public interface RegionCheckpoints {
  /** The last committed checkpoint, or empty for none. */
  Optional<CheckpointMetadata> lastCheckpoint();

  /** Hands every stored key and value to {@code each}. */
  void forEachState(BiConsumer<ByteString, ByteString> each);

  /**
   * Hands the stored keys from {@code fromInclusive} to {@code toExclusive} and their values to
   * {@code each}, in unsigned byte order of the keys, until it answers false. The driver reads on
   * its own thread while a commit may run: a key of that commit may show its old or its new value
   * (the driver then holds the new one itself).
   */
  void forEachState(
      ByteString fromInclusive, ByteString toExclusive, BiPredicate<ByteString, ByteString> each);

  /** The stored value of {@code key}, with the same caveat as the ranged {@link #forEachState}. */
  Optional<ByteString> state(ByteString key);

  /**
   * Commits {@code states} and removes {@code removed}, all at once, with the vector and log index
   * they reflect. Exactly one call of {@code done} follows on the driver's thread, with null on
   * success or the failure.
   */
  void commit(
      VersionVector vector,
      long logIndex,
      Map<ByteString, ByteString> states,
      Set<ByteString> removed,
      Consumer<Throwable> done);
}
