package io.meridian.server.region;

import io.meridian.server.storage.LogRecord;
import java.util.List;
import java.util.function.Consumer;

/**
 * The update log as a {@link RegionDriver} uses it: read back once at open, then append groups and
 * learn, by a call back, when a group is on disk. The server's implementation forces groups on the
 * log's own thread and calls back on the driver's thread; a test's or a simulator's holds the group
 * until it decides the disk is done.
 */
public interface RegionLog {
  /** Hands every record on disk to {@code each}, first to last. Called once, at open. */
  void replay(Consumer<LogRecord> each);

  /** The index of the last record ever appended (0 for none), deleted or not. */
  long lastIndex();

  /**
   * Appends {@code records} in order as one group and makes them durable. Exactly one call of
   * {@code done} follows, on the driver's thread (possibly before this returns, for a failure).
   */
  void append(List<byte[]> records, GroupCallback done);

  /** Deletes what it can of the records below {@code index}; it may do so later, or not at all. */
  void deleteBelow(long index);

  /** How an append ends. */
  @FunctionalInterface
  interface GroupCallback {
    /**
     * @param indexes the records' indexes, in append order, when the group is durable; else null
     * @param failure why the group could not be made durable, or null
     */
    void completed(List<Long> indexes, Throwable failure);
  }
}
