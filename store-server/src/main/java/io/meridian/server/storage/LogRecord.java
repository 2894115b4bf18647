package io.meridian.server.storage;

import com.google.protobuf.ByteString;
import java.util.Objects;

/**
 * One record of the {@link UpdateLog}: its index (dense, increasing by one per record) and its
 * payload, which the log never interprets. Immutable; {@link #equals} is structural.
 */
public final class LogRecord {
  private final long index;
  private final ByteString payload;

  public LogRecord(long index, ByteString payload) {
    if (index < 1) {
      throw new IllegalArgumentException("record index must be at least 1: " + index);
    }
    this.index = index;
    this.payload = Objects.requireNonNull(payload, "payload");
  }

  public long index() {
    return index;
  }

  public ByteString payload() {
    return payload;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof LogRecord record
        && index == record.index
        && payload.equals(record.payload);
  }

  @Override
  public int hashCode() {
    return 31 * Long.hashCode(index) + payload.hashCode();
  }

  @Override
  public String toString() {
    return "LogRecord{index=" + index + ", payloadBytes=" + payload.size() + "}";
  }
}
