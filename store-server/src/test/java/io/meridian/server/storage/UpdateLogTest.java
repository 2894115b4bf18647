package io.meridian.server.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UpdateLogTest {
  private static final UpdateLogConfig SMALL =
      UpdateLogConfig.defaults().withSegmentBytesMax(1024).withRecordBytesMax(4096);

  @TempDir Path directory;

  private static ByteString payload(int number) {
    return ByteString.copyFrom("update-" + number, StandardCharsets.UTF_8);
  }

  private static List<LogRecord> readAll(UpdateLog log, long fromIndex) {
    List<LogRecord> records = new ArrayList<>();
    log.replay(fromIndex, records::add);
    return records;
  }

  private static void appendAll(UpdateLog log, int fromNumber, int toNumber) {
    List<CompletableFuture<Long>> futures = new ArrayList<>();
    for (int number = fromNumber; number <= toNumber; number++) {
      futures.add(log.append(payload(number)));
    }
    for (int i = 0; i < futures.size(); i++) {
      assertThat(futures.get(i).join()).isEqualTo((long) fromNumber + i);
    }
  }

  private static void assertRecords(List<LogRecord> records, int fromNumber, int toNumber) {
    assertThat(records).hasSize(toNumber - fromNumber + 1);
    for (int i = 0; i < records.size(); i++) {
      assertThat(records.get(i)).isEqualTo(new LogRecord(fromNumber + i, payload(fromNumber + i)));
    }
  }

  private List<Path> segmentFiles() throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      return files.sorted(Comparator.comparing(Path::toString)).toList();
    }
  }

  @Test
  void appendsCompleteWithDenseIndexesAndReplayInOrder() {
    try (UpdateLog log = UpdateLog.open(directory, UpdateLogConfig.defaults())) {
      assertThat(log.lastIndex()).isZero();
      assertThat(log.firstIndex()).isEqualTo(1);
      appendAll(log, 1, 50);
      assertThat(log.lastIndex()).isEqualTo(50);
      assertRecords(readAll(log, 1), 1, 50);
      assertRecords(readAll(log, 37), 37, 50);
      assertThat(readAll(log, 51)).isEmpty();
      assertThat(log.fsyncCount()).isBetween(1L, 50L);
    }
  }

  @Test
  void concurrentAppendersShareFsyncsAndGetDistinctIndexes() throws Exception {
    int threads = 8;
    int perThread = 200;
    Set<Long> indexes = java.util.Collections.synchronizedSet(new HashSet<>());
    try (UpdateLog log = UpdateLog.open(directory, UpdateLogConfig.defaults())) {
      List<Thread> appenders = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        Thread thread =
            new Thread(
                () -> {
                  for (int i = 0; i < perThread; i++) {
                    indexes.add(log.append(payload(i)).join());
                  }
                });
        appenders.add(thread);
        thread.start();
      }
      for (Thread thread : appenders) {
        thread.join();
      }
      assertThat(indexes).hasSize(threads * perThread);
      assertThat(indexes).allMatch(index -> index >= 1 && index <= threads * perThread);
      assertThat(log.appendCount()).isEqualTo(threads * perThread);
      assertThat(readAll(log, 1)).hasSize(threads * perThread);
    }
  }

  @Test
  void restartKeepsRecordsAndContinuesNumbering() {
    try (UpdateLog log = UpdateLog.open(directory, SMALL)) {
      appendAll(log, 1, 40);
    }
    try (UpdateLog log = UpdateLog.open(directory, SMALL)) {
      assertThat(log.recoveredTruncatedBytes()).isZero();
      assertThat(log.lastIndex()).isEqualTo(40);
      appendAll(log, 41, 60);
    }
    try (UpdateLog log = UpdateLog.open(directory, SMALL)) {
      assertThat(log.segmentCount()).isGreaterThan(1);
      assertRecords(readAll(log, 1), 1, 60);
    }
  }

  @Test
  void segmentsRollAtTheSizeBound() throws IOException {
    try (UpdateLog log = UpdateLog.open(directory, SMALL)) {
      appendAll(log, 1, 200);
      assertThat(log.segmentCount()).isGreaterThan(3);
      assertRecords(readAll(log, 1), 1, 200);
    }
    for (Path file : segmentFiles()) {
      assertThat(Files.size(file)).isLessThanOrEqualTo(1024);
    }
  }

  @Test
  void aRecordLargerThanASegmentGetsASegmentOfItsOwn() {
    ByteString large = ByteString.copyFrom(new byte[3000]);
    try (UpdateLog log = UpdateLog.open(directory, SMALL)) {
      appendAll(log, 1, 3);
      assertThat(log.append(large).join()).isEqualTo(4);
      assertThat(log.append(payload(5)).join()).isEqualTo(5);
      List<LogRecord> records = readAll(log, 4);
      assertThat(records.get(0).payload()).isEqualTo(large);
      assertThat(records.get(1)).isEqualTo(new LogRecord(5, payload(5)));
    }
  }

  @Test
  void tornTailAtEveryByteOffsetOfTheLastRecordIsDroppedOnOpen(@TempDir Path scratch)
      throws IOException {
    try (UpdateLog log = UpdateLog.open(directory, UpdateLogConfig.defaults())) {
      appendAll(log, 1, 3);
    }
    Path segment = segmentFiles().get(0);
    long fullSize = Files.size(segment);
    long lastRecordStart = fullSize - recordFrameBytes(3);
    byte[] original = Files.readAllBytes(segment);
    for (long cut = lastRecordStart; cut < fullSize; cut++) {
      Path copy = scratch.resolve("cut-" + cut);
      Files.createDirectories(copy);
      Path copiedSegment = copy.resolve(segment.getFileName());
      Files.write(copiedSegment, java.util.Arrays.copyOf(original, (int) cut));
      try (UpdateLog log = UpdateLog.open(copy, UpdateLogConfig.defaults())) {
        assertThat(log.lastIndex()).as("cut at %d", cut).isEqualTo(2);
        assertThat(log.recoveredTruncatedBytes()).isEqualTo(cut - lastRecordStart);
        assertRecords(readAll(log, 1), 1, 2);
        assertThat(log.append(payload(3)).join()).isEqualTo(3);
      }
      try (UpdateLog log = UpdateLog.open(copy, UpdateLogConfig.defaults())) {
        assertRecords(readAll(log, 1), 1, 3);
      }
    }
  }

  /** Bytes of the frame of record {@code number} as {@link #payload} makes it. */
  private static int recordFrameBytes(int number) {
    return UpdateLog.RECORD_HEADER_BYTES
        + io.meridian.server.proto.LogRecordProto.newBuilder()
            .setFormatVersion(UpdateLog.RECORD_FORMAT_VERSION)
            .setIndex(number)
            .setPayload(payload(number))
            .build()
            .getSerializedSize();
  }

  @Test
  void zeroFilledTailIsDropped() throws IOException {
    try (UpdateLog log = UpdateLog.open(directory, UpdateLogConfig.defaults())) {
      appendAll(log, 1, 3);
    }
    Path segment = segmentFiles().get(0);
    Files.write(segment, new byte[4096], java.nio.file.StandardOpenOption.APPEND);
    try (UpdateLog log = UpdateLog.open(directory, UpdateLogConfig.defaults())) {
      assertThat(log.recoveredTruncatedBytes()).isEqualTo(4096);
      assertRecords(readAll(log, 1), 1, 3);
    }
  }

  @Test
  void corruptChecksumOfTheLastRecordDropsIt() throws IOException {
    try (UpdateLog log = UpdateLog.open(directory, UpdateLogConfig.defaults())) {
      appendAll(log, 1, 3);
    }
    Path segment = segmentFiles().get(0);
    long checksumAt = Files.size(segment) - recordFrameBytes(3) + 4;
    flipByte(segment, checksumAt);
    try (UpdateLog log = UpdateLog.open(directory, UpdateLogConfig.defaults())) {
      assertThat(log.lastIndex()).isEqualTo(2);
      assertRecords(readAll(log, 1), 1, 2);
    }
  }

  @Test
  void corruptPayloadByteOfTheLastRecordDropsIt() throws IOException {
    try (UpdateLog log = UpdateLog.open(directory, UpdateLogConfig.defaults())) {
      appendAll(log, 1, 3);
    }
    Path segment = segmentFiles().get(0);
    flipByte(segment, Files.size(segment) - 1);
    try (UpdateLog log = UpdateLog.open(directory, UpdateLogConfig.defaults())) {
      assertThat(log.lastIndex()).isEqualTo(2);
    }
  }

  @Test
  void corruptionInAnOlderSegmentFailsReplayAsCorrupt() throws IOException {
    try (UpdateLog log = UpdateLog.open(directory, SMALL)) {
      appendAll(log, 1, 100);
    }
    Path oldest = segmentFiles().get(0);
    flipByte(oldest, UpdateLog.SEGMENT_HEADER_BYTES + 10);
    try (UpdateLog log = UpdateLog.open(directory, SMALL)) {
      assertThat(log.lastIndex()).isEqualTo(100);
      assertThatThrownBy(() -> readAll(log, 1))
          .isInstanceOfSatisfying(
              StorageException.class,
              e -> assertThat(e.reason()).isEqualTo(StorageException.Reason.CORRUPT));
    }
  }

  @Test
  void aTornSegmentHeaderOfTheNewestSegmentIsRewritten() throws IOException {
    try (UpdateLog log = UpdateLog.open(directory, UpdateLogConfig.defaults())) {
      appendAll(log, 1, 3);
    }
    Path torn = directory.resolve(String.format("segment-%020d.log", 4));
    Files.write(torn, new byte[] {0x4D, 0x4C});
    try (UpdateLog log = UpdateLog.open(directory, UpdateLogConfig.defaults())) {
      assertThat(log.lastIndex()).isEqualTo(3);
      assertThat(log.append(payload(4)).join()).isEqualTo(4);
      assertRecords(readAll(log, 1), 1, 4);
    }
  }

  @Test
  void deletingSegmentsKeepsEverythingAtOrAboveTheIndex() {
    try (UpdateLog log = UpdateLog.open(directory, SMALL)) {
      appendAll(log, 1, 200);
      int before = log.segmentCount();
      int deleted = log.deleteSegmentsBelow(120);
      assertThat(deleted).isPositive();
      assertThat(log.segmentCount()).isEqualTo(before - deleted);
      assertThat(log.firstIndex()).isLessThanOrEqualTo(120).isGreaterThan(1);
      assertRecords(readAll(log, log.firstIndex()), (int) log.firstIndex(), 200);
      assertRecords(readAll(log, 120), 120, 200);
      assertThatThrownBy(() -> readAll(log, 1))
          .isInstanceOfSatisfying(
              StorageException.class,
              e -> assertThat(e.reason()).isEqualTo(StorageException.Reason.TRIMMED));
    }
    try (UpdateLog log = UpdateLog.open(directory, SMALL)) {
      assertThat(log.lastIndex()).isEqualTo(200);
      assertRecords(readAll(log, 120), 120, 200);
    }
  }

  @Test
  void theSegmentBeingWrittenIsNeverDeletedAndNumberingSurvivesAnEmptyLog() {
    try (UpdateLog log = UpdateLog.open(directory, SMALL)) {
      appendAll(log, 1, 200);
      log.deleteSegmentsBelow(Long.MAX_VALUE);
      assertThat(log.segmentCount()).isEqualTo(1);
    }
    try (UpdateLog log = UpdateLog.open(directory, SMALL)) {
      assertThat(log.lastIndex()).isEqualTo(200);
      assertThat(log.append(payload(201)).join()).isEqualTo(201);
    }
  }

  @Test
  void aRecordOverTheBoundIsRefusedAndNothingIsWritten() {
    try (UpdateLog log = UpdateLog.open(directory, SMALL)) {
      assertThatThrownBy(() -> log.append(new byte[4097]))
          .isInstanceOfSatisfying(
              StorageException.class,
              e -> assertThat(e.reason()).isEqualTo(StorageException.Reason.RECORD_TOO_LARGE));
      assertThat(log.append(new byte[4096]).join()).isEqualTo(1);
    }
  }

  @Test
  void aFullQueueRefusesAppendsUntilTheWriterDrainsIt() {
    UpdateLogConfig config = UpdateLogConfig.defaults().withAppendQueueEntriesMax(4);
    try (UpdateLog log = UpdateLog.open(directory, config, false)) {
      List<CompletableFuture<Long>> queued = new ArrayList<>();
      for (int i = 1; i <= 4; i++) {
        queued.add(log.append(payload(i)));
      }
      assertThatThrownBy(() -> log.append(payload(5)))
          .isInstanceOfSatisfying(
              StorageException.class,
              e -> assertThat(e.reason()).isEqualTo(StorageException.Reason.OVERLOADED));
      assertThat(queued).noneMatch(CompletableFuture::isDone);
      log.startWriter();
      assertThat(queued.get(3).join()).isEqualTo(4);
      assertThat(log.append(payload(5)).join()).isEqualTo(5);
      assertRecords(readAll(log, 1), 1, 5);
    }
  }

  @Test
  void aGroupWithoutRoomForAllItsRecordsIsRefusedWhole() {
    UpdateLogConfig config = UpdateLogConfig.defaults().withAppendQueueEntriesMax(4);
    try (UpdateLog log = UpdateLog.open(directory, config, false)) {
      List<CompletableFuture<Long>> queued =
          log.appendAll(List.of(payload(1).toByteArray(), payload(2).toByteArray()));
      List<byte[]> three =
          List.of(payload(3).toByteArray(), payload(4).toByteArray(), payload(5).toByteArray());
      assertThatThrownBy(() -> log.appendAll(three))
          .isInstanceOfSatisfying(
              StorageException.class,
              e -> assertThat(e.reason()).isEqualTo(StorageException.Reason.OVERLOADED));
      log.startWriter();
      assertThat(queued.get(1).join()).isEqualTo(2);
      // Nothing of the refused group was queued: offered again, it follows record 2.
      List<CompletableFuture<Long>> again = log.appendAll(three);
      assertThat(again.get(2).join()).isEqualTo(5);
      assertRecords(readAll(log, 1), 1, 5);
    }
  }

  @Test
  void closeWritesWhatIsQueuedAndThenRefuses() {
    UpdateLog log = UpdateLog.open(directory, UpdateLogConfig.defaults(), false);
    CompletableFuture<Long> queued = log.append(payload(1));
    log.close();
    assertThat(queued.join()).isEqualTo(1);
    assertThatThrownBy(() -> log.append(payload(2)))
        .isInstanceOfSatisfying(
            StorageException.class,
            e -> assertThat(e.reason()).isEqualTo(StorageException.Reason.CLOSED));
    try (UpdateLog reopened = UpdateLog.open(directory, UpdateLogConfig.defaults())) {
      assertRecords(readAll(reopened, 1), 1, 1);
    }
  }

  private static void flipByte(Path file, long offset) throws IOException {
    try (RandomAccessFile access = new RandomAccessFile(file.toFile(), "rw")) {
      access.seek(offset);
      int value = access.read();
      access.seek(offset);
      access.write(value ^ 0x5A);
    }
  }
}
