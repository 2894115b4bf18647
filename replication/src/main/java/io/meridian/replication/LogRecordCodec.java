package io.meridian.replication;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.meridian.clocks.DecodeException;
import io.meridian.replication.proto.LogRecordProto;
import java.io.IOException;

/**
 * The on-disk form of a log entry: one {@code LogRecordProto} per entry, with a format version. The
 * driver frames and checksums records in its segment files; this codec only maps an entry to bytes
 * and back. Decoding throws only {@link DecodeException}.
 */
public final class LogRecordCodec {
  /** The format version written by this code. */
  public static final int FORMAT_VERSION = 1;

  private LogRecordCodec() {}

  /** The record for {@code entry}; equal entries give equal bytes. */
  public static byte[] encode(LogEntry entry) {
    return LogRecordProto.newBuilder()
        .setFormatVersion(FORMAT_VERSION)
        .setEntry(FrameCodec.toProto(entry))
        .build()
        .toByteArray();
  }

  /**
   * The record of an entry whose {@code EntryProto} bytes are {@code encodedEntry} (as frames nest
   * them): the same bytes as {@link #encode} gives for that entry, without encoding it again.
   */
  static byte[] encodeFromEntryBytes(byte[] encodedEntry) {
    int size =
        CodedOutputStream.computeUInt32Size(
                LogRecordProto.FORMAT_VERSION_FIELD_NUMBER, FORMAT_VERSION)
            + CodedOutputStream.computeByteArraySize(
                LogRecordProto.ENTRY_FIELD_NUMBER, encodedEntry);
    byte[] bytes = new byte[size];
    CodedOutputStream output = CodedOutputStream.newInstance(bytes);
    try {
      output.writeUInt32(LogRecordProto.FORMAT_VERSION_FIELD_NUMBER, FORMAT_VERSION);
      output.writeByteArray(LogRecordProto.ENTRY_FIELD_NUMBER, encodedEntry);
      output.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new IllegalStateException("log record size computed wrongly", e);
    }
    return bytes;
  }

  /** The entry of a record written by {@link #encode}. */
  public static LogEntry decode(byte[] bytes) {
    LogRecordProto proto;
    try {
      proto = LogRecordProto.parseFrom(bytes);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      throw new DecodeException("malformed log record", e);
    }
    if (proto.getFormatVersion() != FORMAT_VERSION) {
      throw new DecodeException("unknown log record format version " + proto.getFormatVersion());
    }
    if (!proto.hasEntry()) {
      throw new DecodeException("log record without entry");
    }
    try {
      return FrameCodec.fromProto(proto.getEntry());
    } catch (IllegalArgumentException e) {
      throw new DecodeException("invalid log record: " + e.getMessage(), e);
    }
  }
}
