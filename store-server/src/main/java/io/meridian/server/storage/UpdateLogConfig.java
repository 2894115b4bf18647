package io.meridian.server.storage;

/**
 * The bounds of an {@link UpdateLog}.
 *
 * @param segmentBytesMax a segment is closed and a new one started before it would grow past this
 *     size (a single record larger than it still gets a segment of its own)
 * @param recordBytesMax the largest payload an append accepts
 * @param appendQueueEntriesMax appends waiting for the writer; past it an append is refused with
 *     {@link StorageException.Reason#OVERLOADED}
 * @param groupRecordsMax most records written and fsynced together as one group
 */
public record UpdateLogConfig(
    long segmentBytesMax, int recordBytesMax, int appendQueueEntriesMax, int groupRecordsMax) {

  /** 64 MiB segments, 4 MiB records, 65,536 queued appends, groups of up to 4,096 records. */
  public static UpdateLogConfig defaults() {
    return new UpdateLogConfig(64L << 20, 4 << 20, 65_536, 4_096);
  }

  public UpdateLogConfig {
    if (segmentBytesMax < 1024) {
      throw new IllegalArgumentException(
          "segmentBytesMax must be at least 1024: " + segmentBytesMax);
    }
    if (recordBytesMax < 1 || recordBytesMax > UpdateLog.RECORD_BYTES_CEILING - 64) {
      throw new IllegalArgumentException("recordBytesMax out of range: " + recordBytesMax);
    }
    if (appendQueueEntriesMax < 1) {
      throw new IllegalArgumentException(
          "appendQueueEntriesMax must be positive: " + appendQueueEntriesMax);
    }
    if (groupRecordsMax < 1) {
      throw new IllegalArgumentException("groupRecordsMax must be positive: " + groupRecordsMax);
    }
  }

  public UpdateLogConfig withSegmentBytesMax(long bytes) {
    return new UpdateLogConfig(bytes, recordBytesMax, appendQueueEntriesMax, groupRecordsMax);
  }

  public UpdateLogConfig withRecordBytesMax(int bytes) {
    return new UpdateLogConfig(segmentBytesMax, bytes, appendQueueEntriesMax, groupRecordsMax);
  }

  public UpdateLogConfig withAppendQueueEntriesMax(int entries) {
    return new UpdateLogConfig(segmentBytesMax, recordBytesMax, entries, groupRecordsMax);
  }
}
