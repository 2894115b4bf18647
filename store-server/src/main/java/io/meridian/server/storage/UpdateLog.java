package io.meridian.server.storage;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.meridian.server.proto.LogRecordProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * The region's write-ahead update log: an append-only sequence of records in segment files, with
 * group commit. Durability of every update rests on it (DESIGN "Storage", property S3).
 *
 * <p>On disk a segment is a 20-byte header ({@code magic | format version | first index | CRC32C of
 * the preceding 16 bytes}) followed by records, each {@code length | CRC32C | protobuf bytes} of a
 * {@code LogRecordProto} (big-endian 4-byte length and checksum over the protobuf bytes). A segment
 * is named after its first index, so the numbering survives when every record has been trimmed.
 *
 * <p>Group commit, as in database write-ahead logs since Gawlick and Kinkade (1985): one writer
 * thread takes every append queued while the previous {@code fsync} ran, writes them, and forces
 * them with a single {@link FileChannel#force}. An append's future completes only after the force
 * that covers it returned, so acknowledging on completion acknowledges only what is on disk. The
 * queue is bounded; a full queue refuses the append at once ({@link
 * StorageException.Reason#OVERLOADED}) rather than queueing without end.
 *
 * <p>Recovery: a crash can leave the last segment with a torn or partly written tail. On open the
 * last segment is scanned, and at the first record whose length, checksum, encoding or index is
 * wrong the file is truncated. Nothing lost that way was acknowledged: an acknowledged record was
 * forced, and with it every byte before it in its file. Earlier segments were forced before the
 * next one was created, so a bad record there is corruption ({@link
 * StorageException.Reason#CORRUPT}), found when a replay reads it.
 *
 * <p>After a failed {@code fsync} the log accepts nothing more (the kernel may have dropped the
 * dirty pages, so retrying could report success for data that is gone); the process must restart
 * and recover from disk.
 *
 * <p>Thread safety: every public method may be called from any thread.
 */
public final class UpdateLog implements AutoCloseable {
  /** Largest record length a reader accepts, whatever the configuration (guards allocation). */
  static final int RECORD_BYTES_CEILING = 64 << 20;

  static final int SEGMENT_MAGIC = 0x4D4C4F47; // "MLOG"
  static final int SEGMENT_FORMAT_VERSION = 1;
  static final int SEGMENT_HEADER_BYTES = 20;
  static final int RECORD_HEADER_BYTES = 8;
  static final int RECORD_FORMAT_VERSION = 1;

  private static final String SEGMENT_PREFIX = "segment-";
  private static final String SEGMENT_SUFFIX = ".log";
  private static final long WRITER_POLL_MILLIS = 20;

  private final Path directory;
  private final UpdateLogConfig config;
  private final ArrayBlockingQueue<PendingAppend> queue;
  private final Thread writer;
  private final Object admissionLock = new Object();
  private final Object segmentsLock = new Object();

  /** First index of each segment, to its file. Guarded by {@link #segmentsLock}. */
  private final TreeMap<Long, Path> segments = new TreeMap<>();

  private final AtomicLong fsyncCount = new AtomicLong();
  private final AtomicLong appendCount = new AtomicLong();
  private final long recoveredTruncatedBytes;

  // Owned by the writer thread once open returns.
  private FileChannel active;
  private long activeBytes;
  private long nextIndex;
  private ByteBuffer groupBuffer = ByteBuffer.allocate(64 * 1024);

  private volatile long durableIndex;
  private volatile StorageException failure;
  private boolean closed; // guarded by admissionLock

  private UpdateLog(Path directory, UpdateLogConfig config, boolean startWriter)
      throws IOException {
    this.directory = directory;
    this.config = config;
    this.queue = new ArrayBlockingQueue<>(config.appendQueueEntriesMax());
    Files.createDirectories(directory);
    loadSegmentNames();
    if (segments.isEmpty()) {
      createSegment(1);
      recoveredTruncatedBytes = 0;
    } else {
      recoveredTruncatedBytes = recoverLastSegment();
    }
    durableIndex = nextIndex - 1;
    writer = new Thread(this::runWriter, "meridian-update-log-writer");
    writer.setDaemon(true);
    if (startWriter) {
      writer.start();
    }
  }

  /**
   * Opens the log in {@code directory} (created when missing), recovering the tail of the last
   * segment. The directory must be held exclusively (see {@link DataDirectory}).
   *
   * @throws StorageException with {@link StorageException.Reason#CORRUPT} when a segment header is
   *     damaged beyond a torn creation, or {@link StorageException.Reason#IO_FAILURE}
   */
  public static UpdateLog open(Path directory, UpdateLogConfig config) {
    return open(directory, config, true);
  }

  /** Opens the log, with the writer held back when {@code startWriter} is false (for tests). */
  static UpdateLog open(Path directory, UpdateLogConfig config, boolean startWriter) {
    Objects.requireNonNull(directory, "directory");
    Objects.requireNonNull(config, "config");
    try {
      return new UpdateLog(directory, config, startWriter);
    } catch (IOException e) {
      throw new StorageException(
          StorageException.Reason.IO_FAILURE, "cannot open update log: " + e.getMessage(), e);
    }
  }

  // ---- appending

  /**
   * Queues {@code payload} as the next record. The future completes with the record's index once
   * the record is on disk, or exceptionally with a {@link StorageException} when the write or the
   * fsync failed or the log closed first.
   *
   * @throws StorageException at once, with nothing queued, when the payload is over {@link
   *     UpdateLogConfig#recordBytesMax()}, the queue is full, or the log is closed or failed
   */
  public CompletableFuture<Long> append(ByteString payload) {
    Objects.requireNonNull(payload, "payload");
    if (payload.size() > config.recordBytesMax()) {
      throw new StorageException(
          StorageException.Reason.RECORD_TOO_LARGE,
          "record of " + payload.size() + " bytes is over " + config.recordBytesMax());
    }
    PendingAppend pending = new PendingAppend(payload);
    synchronized (admissionLock) {
      requireOpen();
      if (!queue.offer(pending)) {
        throw new StorageException(
            StorageException.Reason.OVERLOADED,
            "update log queue is full (" + config.appendQueueEntriesMax() + " appends)");
      }
    }
    return pending.completion;
  }

  /**
   * Queues {@code payloads} as the next records, all or none: a group of appends is admitted only
   * when the queue has room for every one, so a refusal leaves nothing half queued and the caller
   * may offer the same group again later. The futures complete as for {@link #append(ByteString)}.
   *
   * @throws StorageException at once, with nothing queued, when a payload is over {@link
   *     UpdateLogConfig#recordBytesMax()}, the queue lacks room for them all ({@link
   *     StorageException.Reason#OVERLOADED}), or the log is closed or failed
   */
  public List<CompletableFuture<Long>> appendAll(List<byte[]> payloads) {
    List<PendingAppend> pending = new ArrayList<>(payloads.size());
    for (byte[] payload : payloads) {
      if (payload.length > config.recordBytesMax()) {
        throw new StorageException(
            StorageException.Reason.RECORD_TOO_LARGE,
            "record of " + payload.length + " bytes is over " + config.recordBytesMax());
      }
      pending.add(new PendingAppend(ByteString.copyFrom(payload)));
    }
    List<CompletableFuture<Long>> completions = new ArrayList<>(pending.size());
    synchronized (admissionLock) {
      requireOpen();
      if (queue.remainingCapacity() < pending.size()) {
        throw new StorageException(
            StorageException.Reason.OVERLOADED,
            "update log queue lacks room for "
                + pending.size()
                + " appends ("
                + config.appendQueueEntriesMax()
                + " at most)");
      }
      for (PendingAppend append : pending) {
        // Room was checked under the lock that every admission takes: offer cannot fail here.
        queue.add(append);
        completions.add(append.completion);
      }
    }
    return completions;
  }

  /** Throws unless the log takes appends; called holding {@code admissionLock}. */
  private void requireOpen() {
    StorageException failed = failure;
    if (failed != null) {
      throw new StorageException(failed.reason(), "update log failed earlier", failed);
    }
    if (closed) {
      throw new StorageException(StorageException.Reason.CLOSED, "update log is closed");
    }
  }

  /** {@link #append(ByteString)} of a copy of {@code payload}. */
  public CompletableFuture<Long> append(byte[] payload) {
    return append(ByteString.copyFrom(payload));
  }

  /** Starts a writer held back by {@link #open(Path, UpdateLogConfig, boolean)}. */
  void startWriter() {
    writer.start();
  }

  private void runWriter() {
    List<PendingAppend> group = new ArrayList<>();
    while (true) {
      PendingAppend first;
      try {
        first = queue.poll(WRITER_POLL_MILLIS, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        first = null;
      }
      if (first == null) {
        if (isClosedAndDrained()) {
          break;
        }
        continue;
      }
      group.add(first);
      queue.drainTo(group, config.groupRecordsMax() - 1);
      writeGroupOrFail(group);
      group.clear();
    }
    closeActiveQuietly();
  }

  private boolean isClosedAndDrained() {
    synchronized (admissionLock) {
      return closed && queue.isEmpty();
    }
  }

  private void writeGroupOrFail(List<PendingAppend> group) {
    StorageException failed = failure;
    if (failed == null) {
      try {
        long firstIndex = nextIndex;
        writeGroup(group);
        for (int i = 0; i < group.size(); i++) {
          group.get(i).completion.complete(firstIndex + i);
        }
        return;
      } catch (IOException | RuntimeException e) {
        failed =
            new StorageException(
                StorageException.Reason.IO_FAILURE, "update log write failed: " + e, e);
        failure = failed;
      }
    }
    for (PendingAppend pending : group) {
      pending.completion.completeExceptionally(failed);
    }
  }

  private void writeGroup(List<PendingAppend> group) throws IOException {
    groupBuffer.clear();
    for (PendingAppend pending : group) {
      byte[] record =
          LogRecordProto.newBuilder()
              .setFormatVersion(RECORD_FORMAT_VERSION)
              .setIndex(nextIndex)
              .setPayload(pending.payload)
              .build()
              .toByteArray();
      int frameBytes = RECORD_HEADER_BYTES + record.length;
      if (activeBytes + frameBytes > config.segmentBytesMax()
          && activeBytes > SEGMENT_HEADER_BYTES) {
        flushGroupBuffer();
        force();
        rollSegment();
      }
      ensureGroupBufferRoom(frameBytes);
      groupBuffer.putInt(record.length).putInt(crc(record, 0, record.length)).put(record);
      activeBytes += frameBytes;
      nextIndex++;
    }
    flushGroupBuffer();
    force();
    durableIndex = nextIndex - 1;
    appendCount.addAndGet(group.size());
  }

  private void ensureGroupBufferRoom(int bytes) {
    if (groupBuffer.remaining() >= bytes) {
      return;
    }
    int capacity = Math.max(groupBuffer.capacity() * 2, groupBuffer.position() + bytes);
    ByteBuffer larger = ByteBuffer.allocate(capacity);
    groupBuffer.flip();
    larger.put(groupBuffer);
    groupBuffer = larger;
  }

  private void flushGroupBuffer() throws IOException {
    groupBuffer.flip();
    while (groupBuffer.hasRemaining()) {
      active.write(groupBuffer);
    }
    groupBuffer.clear();
  }

  private void force() throws IOException {
    active.force(false);
    fsyncCount.incrementAndGet();
  }

  private void rollSegment() throws IOException {
    active.close();
    createSegment(nextIndex);
  }

  // ---- reading

  /**
   * Calls {@code consumer} with every durable record from {@code fromIndex} on, in index order, up
   * to the last index durable when the call started. Records being trimmed concurrently below the
   * replayed range are the caller's concern: trim only what no replay still needs.
   *
   * @throws StorageException with {@link StorageException.Reason#TRIMMED} when {@code fromIndex} is
   *     below {@link #firstIndex()}, {@link StorageException.Reason#CORRUPT} when a record in range
   *     fails its checks
   */
  public void replay(long fromIndex, Consumer<LogRecord> consumer) {
    if (fromIndex < 1) {
      throw new IllegalArgumentException("fromIndex must be at least 1: " + fromIndex);
    }
    long lastIndex = durableIndex;
    List<Map.Entry<Long, Path>> range;
    synchronized (segmentsLock) {
      long first = segments.firstKey();
      if (fromIndex < first) {
        throw new StorageException(
            StorageException.Reason.TRIMMED,
            "records below " + first + " were deleted; asked from " + fromIndex);
      }
      Long start = segments.floorKey(fromIndex);
      range = new ArrayList<>(segments.tailMap(start, true).entrySet());
    }
    for (int i = 0; i < range.size() && fromIndex <= lastIndex; i++) {
      Map.Entry<Long, Path> segment = range.get(i);
      long expected =
          replaySegment(segment.getValue(), segment.getKey(), fromIndex, lastIndex, consumer);
      if (i + 1 < range.size() && expected != range.get(i + 1).getKey() && expected <= lastIndex) {
        throw new StorageException(
            StorageException.Reason.CORRUPT,
            "segment "
                + segment.getValue().getFileName()
                + " ends before index "
                + expected
                + " but the next segment starts at "
                + range.get(i + 1).getKey());
      }
      fromIndex = Math.max(fromIndex, expected);
    }
  }

  /** Replays one segment; returns the index after its last record read. */
  private long replaySegment(
      Path file, long firstIndex, long fromIndex, long lastIndex, Consumer<LogRecord> consumer) {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      SegmentScanner scanner = new SegmentScanner(channel, firstIndex);
      String headerProblem = scanner.readHeader();
      if (headerProblem != null) {
        throw corrupt(file, headerProblem);
      }
      long expected = firstIndex;
      while (expected <= lastIndex) {
        LogRecord record = scanner.next(expected);
        if (record == null) {
          if (scanner.problem() != null) {
            // Everything up to lastIndex was forced, so this is damage, not a torn write.
            throw corrupt(file, scanner.problem() + " at byte " + scanner.position());
          }
          return expected;
        }
        if (record.index() >= fromIndex) {
          consumer.accept(record);
        }
        expected++;
      }
      return expected;
    } catch (NoSuchFileException e) {
      throw new StorageException(
          StorageException.Reason.TRIMMED, "segment " + file.getFileName() + " was deleted", e);
    } catch (IOException e) {
      throw new StorageException(
          StorageException.Reason.IO_FAILURE, "cannot read " + file.getFileName() + ": " + e, e);
    }
  }

  /** Index of the oldest record still kept (the next index to be written when none is kept). */
  public long firstIndex() {
    synchronized (segmentsLock) {
      return segments.firstKey();
    }
  }

  /** Index of the last record on disk; 0 when the log has never held a record. */
  public long lastIndex() {
    return durableIndex;
  }

  // ---- trimming

  /**
   * Deletes every segment all of whose records have an index below {@code index}; the segment being
   * written is always kept. Call only with an index covered by a checkpoint and stable at every
   * region (property S7).
   *
   * @return how many segments were deleted
   */
  public int deleteSegmentsBelow(long index) {
    List<Path> doomed = new ArrayList<>();
    synchronized (segmentsLock) {
      while (segments.size() > 1) {
        Map.Entry<Long, Path> oldest = segments.firstEntry();
        Long nextFirst = segments.higherKey(oldest.getKey());
        if (nextFirst > index) {
          break;
        }
        doomed.add(oldest.getValue());
        segments.pollFirstEntry();
      }
    }
    try {
      for (Path file : doomed) {
        Files.deleteIfExists(file);
      }
      if (!doomed.isEmpty()) {
        forceDirectory();
      }
    } catch (IOException e) {
      throw new StorageException(
          StorageException.Reason.IO_FAILURE, "cannot delete segments: " + e, e);
    }
    return doomed.size();
  }

  // ---- figures

  /** Number of {@code fsync} calls made by appends since open. */
  public long fsyncCount() {
    return fsyncCount.get();
  }

  /** Number of records appended since open. */
  public long appendCount() {
    return appendCount.get();
  }

  /** Appends waiting for the writer right now. */
  public int queuedAppends() {
    return queue.size();
  }

  /** Bytes cut from the last segment's torn tail when this log was opened. */
  public long recoveredTruncatedBytes() {
    return recoveredTruncatedBytes;
  }

  /** Number of segment files. */
  public int segmentCount() {
    synchronized (segmentsLock) {
      return segments.size();
    }
  }

  /**
   * Stops accepting appends, writes and forces everything already queued, and closes the files.
   * Blocks until the writer has finished.
   */
  @Override
  public void close() {
    synchronized (admissionLock) {
      closed = true;
    }
    if (writer.getState() == Thread.State.NEW) {
      writer.start();
    }
    boolean interrupted = false;
    while (writer.isAlive()) {
      try {
        writer.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- segments on disk

  private void loadSegmentNames() throws IOException {
    try (DirectoryStream<Path> stream =
        Files.newDirectoryStream(directory, SEGMENT_PREFIX + "*" + SEGMENT_SUFFIX)) {
      for (Path file : stream) {
        String name = file.getFileName().toString();
        String digits =
            name.substring(SEGMENT_PREFIX.length(), name.length() - SEGMENT_SUFFIX.length());
        long first;
        try {
          first = Long.parseLong(digits);
        } catch (NumberFormatException e) {
          throw corrupt(file, "segment name does not carry an index");
        }
        if (first < 1) {
          throw corrupt(file, "segment name carries index " + first);
        }
        segments.put(first, file);
      }
    }
  }

  /** Scans the last segment, truncates a torn tail, and opens it for appending. */
  private long recoverLastSegment() throws IOException {
    Map.Entry<Long, Path> last = segments.lastEntry();
    Path file = last.getValue();
    FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
    try {
      long size = channel.size();
      SegmentScanner scanner = new SegmentScanner(channel, last.getKey());
      String headerProblem = scanner.readHeader();
      if (headerProblem != null) {
        if (size > SEGMENT_HEADER_BYTES) {
          throw corrupt(file, headerProblem);
        }
        // Torn while being created: nothing was ever written after it.
        channel.close();
        createSegment(last.getKey());
        return size;
      }
      long expected = last.getKey();
      while (scanner.next(expected) != null) {
        expected++;
      }
      long validBytes = scanner.position();
      if (validBytes < size) {
        channel.truncate(validBytes);
        channel.force(true);
      }
      channel.position(validBytes);
      active = channel;
      activeBytes = validBytes;
      nextIndex = expected;
      return size - validBytes;
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  private void createSegment(long firstIndex) throws IOException {
    Path file =
        directory.resolve(String.format("%s%020d%s", SEGMENT_PREFIX, firstIndex, SEGMENT_SUFFIX));
    FileChannel channel =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.READ,
            StandardOpenOption.WRITE);
    try {
      ByteBuffer header = ByteBuffer.allocate(SEGMENT_HEADER_BYTES);
      header.putInt(SEGMENT_MAGIC).putInt(SEGMENT_FORMAT_VERSION).putLong(firstIndex);
      header.putInt(crc(header.array(), 0, 16));
      header.flip();
      while (header.hasRemaining()) {
        channel.write(header);
      }
      channel.force(true);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    forceDirectory();
    synchronized (segmentsLock) {
      segments.put(firstIndex, file);
    }
    active = channel;
    activeBytes = SEGMENT_HEADER_BYTES;
    nextIndex = firstIndex;
  }

  private void forceDirectory() throws IOException {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  private void closeActiveQuietly() {
    try {
      if (active != null) {
        active.close();
      }
    } catch (IOException ignored) {
      // Everything acknowledged was forced already; a failing close loses nothing.
    }
  }

  private static StorageException corrupt(Path file, String problem) {
    return new StorageException(
        StorageException.Reason.CORRUPT,
        "update log segment " + file.getFileName() + ": " + problem);
  }

  static int crc(byte[] bytes, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, offset, length);
    return (int) crc.getValue();
  }

  private static final class PendingAppend {
    final ByteString payload;
    final CompletableFuture<Long> completion = new CompletableFuture<>();

    PendingAppend(ByteString payload) {
      this.payload = payload;
    }
  }

  /**
   * Reads a segment record by record, checking each; stops at the first record that fails and says
   * why in {@link #problem()}.
   */
  private static final class SegmentScanner {
    private final FileChannel channel;
    private final long firstIndex;
    private final long size;
    private long position;
    private String problem;

    SegmentScanner(FileChannel channel, long firstIndex) throws IOException {
      this.channel = channel;
      this.firstIndex = firstIndex;
      this.size = channel.size();
    }

    /** Reads and checks the header; returns what is wrong with it, or null. */
    String readHeader() throws IOException {
      if (size < SEGMENT_HEADER_BYTES) {
        return "header torn (" + size + " bytes)";
      }
      ByteBuffer header = readFully(0, SEGMENT_HEADER_BYTES);
      if (header.getInt(0) != SEGMENT_MAGIC) {
        return "bad magic";
      }
      if (header.getInt(16) != crc(header.array(), 0, 16)) {
        return "header checksum mismatch";
      }
      if (header.getInt(4) != SEGMENT_FORMAT_VERSION) {
        return "unknown segment format version " + header.getInt(4);
      }
      if (header.getLong(8) != firstIndex) {
        return "header says first index " + header.getLong(8) + ", name says " + firstIndex;
      }
      position = SEGMENT_HEADER_BYTES;
      return null;
    }

    /** The next record if it is whole, valid and has index {@code expected}; otherwise null. */
    LogRecord next(long expected) throws IOException {
      long remaining = size - position;
      if (remaining == 0) {
        problem = null;
        return null;
      }
      if (remaining < RECORD_HEADER_BYTES) {
        problem = "record header torn";
        return null;
      }
      ByteBuffer header = readFully(position, RECORD_HEADER_BYTES);
      int length = header.getInt(0);
      int checksum = header.getInt(4);
      if (length <= 0 || length > RECORD_BYTES_CEILING) {
        problem = "record length " + length + " out of range";
        return null;
      }
      if (length > remaining - RECORD_HEADER_BYTES) {
        problem = "record torn (" + length + " bytes declared)";
        return null;
      }
      byte[] body = readFully(position + RECORD_HEADER_BYTES, length).array();
      if (crc(body, 0, length) != checksum) {
        problem = "record checksum mismatch";
        return null;
      }
      LogRecordProto proto;
      try {
        proto = LogRecordProto.parseFrom(body);
      } catch (InvalidProtocolBufferException e) {
        problem = "record is not a valid protobuf";
        return null;
      }
      if (proto.getFormatVersion() != RECORD_FORMAT_VERSION) {
        problem = "unknown record format version " + proto.getFormatVersion();
        return null;
      }
      if (proto.getIndex() != expected) {
        problem = "record index " + proto.getIndex() + " where " + expected + " was expected";
        return null;
      }
      position += RECORD_HEADER_BYTES + length;
      return new LogRecord(expected, proto.getPayload());
    }

    private ByteBuffer readFully(long at, int length) throws IOException {
      ByteBuffer buffer = ByteBuffer.allocate(length);
      while (buffer.hasRemaining()) {
        int read = channel.read(buffer, at + buffer.position());
        if (read < 0) {
          throw new IOException("unexpected end of segment");
        }
      }
      buffer.flip();
      return buffer;
    }

    long position() {
      return position;
    }

    String problem() {
      return problem;
    }
  }
}
