package io.meridian.server.region;

import com.google.protobuf.ByteString;
import io.meridian.server.storage.LogRecord;
import io.meridian.server.storage.StorageException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * An update log in memory for driving a {@link RegionDriver} by hand or from a simulation: an
 * append stays in flight until the caller completes it (the group is durable), fails it (the fsync
 * failed: its records may or may not be on disk), or crashes the disk. At a crash any prefix of the
 * records not known durable may have reached the disk, and the last of them may be torn (a torn
 * record fails its CRC and is dropped at the next open). What is durable survives {@link
 * RegionDriver#crash()} and a new driver reads it back.
 */
final class MemoryRegionLog implements RegionLog {
  private final List<LogRecord> durable = new ArrayList<>();
  private final ArrayDeque<Group> inFlight = new ArrayDeque<>();

  /** Records of failed groups: written or not, nobody knows until the next crash decides. */
  private final List<byte[]> unsure = new ArrayList<>();

  private long lastIndex;

  /** Told of every record as it becomes durable (a simulation's observer), or null. */
  private Consumer<byte[]> onDurable;

  private record Group(List<byte[]> records, GroupCallback done) {}

  @Override
  public void replay(Consumer<LogRecord> each) {
    durable.forEach(each);
  }

  @Override
  public long lastIndex() {
    return lastIndex;
  }

  /** Appends still to refuse as a full queue would, before accepting again. */
  private int refusals;

  @Override
  public void append(List<byte[]> records, GroupCallback done) {
    if (refusals > 0) {
      refusals--;
      done.completed(
          null,
          new StorageException(StorageException.Reason.OVERLOADED, "update log queue is full"));
      return;
    }
    inFlight.add(new Group(List.copyOf(records), done));
  }

  /** The next {@code count} appends are refused, with nothing queued, as by a full queue. */
  void refuseNextAppends(int count) {
    refusals = count;
  }

  @Override
  public void deleteBelow(long index) {
    durable.removeIf(record -> record.index() < index);
  }

  int groupsInFlight() {
    return inFlight.size();
  }

  /** The oldest group in flight is on disk now. */
  void completeOldestGroup() {
    Group group = inFlight.remove();
    List<Long> indexes = new ArrayList<>(group.records().size());
    for (byte[] record : group.records()) {
      indexes.add(write(record));
    }
    group.done().completed(indexes, null);
  }

  /** From now on {@code observer} is told of every record as it becomes durable. */
  void observeDurable(Consumer<byte[]> observer) {
    this.onDurable = observer;
  }

  private long write(byte[] record) {
    if (onDurable != null) {
      onDurable.accept(record);
    }
    lastIndex++;
    durable.add(new LogRecord(lastIndex, ByteString.copyFrom(record)));
    return lastIndex;
  }

  /** The oldest group in flight could not be forced. */
  void failOldestGroup() {
    Group group = inFlight.remove();
    unsure.addAll(group.records());
    group.done().completed(null, new IllegalStateException("fsync failed"));
  }

  /** A crash before the fsync: the groups in flight never reach the disk, nobody is told. */
  void loseGroupsInFlight() {
    inFlight.clear();
    unsure.clear();
  }

  /**
   * A crash: the first {@code written} records not known durable (failed groups first, then the
   * groups in flight, in order) reached the disk, the last of them torn when {@code tornLast}; the
   * rest are lost. Nobody is told.
   */
  void crash(int written, boolean tornLast) {
    List<byte[]> pending = new ArrayList<>(unsure);
    for (Group group : inFlight) {
      pending.addAll(group.records());
    }
    int kept = Math.min(written, pending.size()) - (tornLast && written > 0 ? 1 : 0);
    for (int i = 0; i < kept; i++) {
      write(pending.get(i));
    }
    inFlight.clear();
    unsure.clear();
  }

  /** Records appended but not known durable: in flight, or of failed groups. */
  int notDurable() {
    int count = unsure.size();
    for (Group group : inFlight) {
      count += group.records().size();
    }
    return count;
  }

  List<LogRecord> records() {
    return List.copyOf(durable);
  }
}
