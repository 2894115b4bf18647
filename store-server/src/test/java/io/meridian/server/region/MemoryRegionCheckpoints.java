package io.meridian.server.region;

import com.google.protobuf.ByteString;
import io.meridian.clocks.VersionVector;
import io.meridian.server.storage.CheckpointMetadata;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;
import java.util.function.Consumer;

/**
 * A checkpoint store in memory whose commits complete at once, all or nothing; a commit the caller
 * has made fail writes nothing, as a MapDB transaction that fails is rolled back. Keys are kept in
 * unsigned byte order, as MapDB keeps them.
 */
final class MemoryRegionCheckpoints implements RegionCheckpoints {
  private final TreeMap<ByteString, ByteString> states =
      new TreeMap<>(ByteString.unsignedLexicographicalComparator());
  private CheckpointMetadata last;
  private boolean failNext;
  private boolean hold;
  private Runnable held;

  @Override
  public Optional<CheckpointMetadata> lastCheckpoint() {
    return Optional.ofNullable(last);
  }

  @Override
  public void forEachState(BiConsumer<ByteString, ByteString> each) {
    Map.copyOf(states).forEach(each);
  }

  @Override
  public void forEachState(
      ByteString fromInclusive, ByteString toExclusive, BiPredicate<ByteString, ByteString> each) {
    for (Map.Entry<ByteString, ByteString> entry :
        new TreeMap<>(states.subMap(fromInclusive, true, toExclusive, false)).entrySet()) {
      if (!each.test(entry.getKey(), entry.getValue())) {
        return;
      }
    }
  }

  @Override
  public Optional<ByteString> state(ByteString key) {
    return Optional.ofNullable(states.get(key));
  }

  @Override
  public void commit(
      VersionVector vector,
      long logIndex,
      Map<ByteString, ByteString> changed,
      Set<ByteString> removed,
      Consumer<Throwable> done) {
    if (hold) {
      held = () -> commitNow(vector, logIndex, changed, removed, done);
      return;
    }
    commitNow(vector, logIndex, changed, removed, done);
  }

  private void commitNow(
      VersionVector vector,
      long logIndex,
      Map<ByteString, ByteString> changed,
      Set<ByteString> removed,
      Consumer<Throwable> done) {
    if (failNext) {
      failNext = false;
      done.accept(new IllegalStateException("checkpoint commit failed"));
      return;
    }
    states.putAll(changed);
    removed.forEach(states::remove);
    last = new CheckpointMetadata(vector, logIndex, last == null ? 1 : last.sequence() + 1);
    done.accept(null);
  }

  /**
   * Commits stay open from now on, as on a slow disk, until {@link #completeHeld} (true) or for
   * good (false).
   */
  void holdCommits(boolean holdThem) {
    hold = holdThem;
  }

  /** Completes the commit held open, if any; true when there was one. */
  boolean completeHeld() {
    Runnable commit = held;
    held = null;
    if (commit != null) {
      commit.run();
    }
    return commit != null;
  }

  /** The next commit fails and writes nothing. */
  void failNextCommit() {
    failNext = true;
  }
}
