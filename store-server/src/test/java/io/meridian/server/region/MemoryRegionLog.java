package io.meridian.server.region;

import com.google.protobuf.ByteString;
import io.meridian.server.storage.LogRecord;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * An update log in memory for driving a {@link RegionDriver} by hand: an append stays in flight
 * until the test completes it (the group is durable), fails it, or loses it (a crash before the
 * fsync). What is durable survives {@link RegionDriver#crash()} and a new driver reads it back.
 */
final class MemoryRegionLog implements RegionLog {
  private final List<LogRecord> durable = new ArrayList<>();
  private final ArrayDeque<Group> inFlight = new ArrayDeque<>();
  private long lastIndex;

  private record Group(List<byte[]> records, GroupCallback done) {}

  @Override
  public void replay(Consumer<LogRecord> each) {
    durable.forEach(each);
  }

  @Override
  public long lastIndex() {
    return lastIndex;
  }

  @Override
  public void append(List<byte[]> records, GroupCallback done) {
    inFlight.add(new Group(List.copyOf(records), done));
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
      lastIndex++;
      durable.add(new LogRecord(lastIndex, ByteString.copyFrom(record)));
      indexes.add(lastIndex);
    }
    group.done().completed(indexes, null);
  }

  /** The oldest group in flight could not be forced. */
  void failOldestGroup() {
    inFlight.remove().done().completed(null, new IllegalStateException("fsync failed"));
  }

  /** A crash before the fsync: the groups in flight never reach the disk, nobody is told. */
  void loseGroupsInFlight() {
    inFlight.clear();
  }

  List<LogRecord> records() {
    return List.copyOf(durable);
  }
}
