package io.meridian.server.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Coverage-guided fuzz target (Jazzer) of the {@link UpdateLog}'s segment reader: the input is the
 * whole content of a log's only segment file. Without {@code JAZZER_FUZZ} it replays its corpus
 * under {@code src/test/resources/.../UpdateLogFuzzTestInputs/segments}; see
 * docs/notes/2026-12-fuzzing.md.
 *
 * <p>The property: opening the log either fails with {@link StorageException.Reason#CORRUPT} (a
 * damaged header) or succeeds after cutting a torn or damaged tail; a log that opens replays dense
 * records from index 1 with nothing but {@link StorageException}, accepts an append after them, and
 * the records it read, written by a fresh log, are read back the same.
 */
class UpdateLogFuzzTest {
  private static final String SEGMENT = "segment-00000000000000000001.log";

  /** Records of at most 1 KiB, so a length field cannot ask for much (the ceiling is 64 MiB). */
  private static final UpdateLogConfig CONFIG = UpdateLogConfig.defaults().withRecordBytesMax(1024);

  @FuzzTest(maxDuration = "20s")
  void segments(byte[] bytes) throws IOException {
    Path dir = Files.createTempDirectory("update-log-fuzz");
    try {
      Files.write(dir.resolve(SEGMENT), bytes);
      List<LogRecord> records = new ArrayList<>();
      UpdateLog log;
      try {
        log = UpdateLog.open(dir, CONFIG);
      } catch (StorageException e) {
        assertThat(e.reason()).isEqualTo(StorageException.Reason.CORRUPT);
        return;
      }
      try {
        log.replay(log.firstIndex(), records::add);
        for (int i = 0; i < records.size(); i++) {
          assertThat(records.get(i).index()).isEqualTo(i + 1L);
        }
        long appended = log.append(ByteString.copyFromUtf8("after")).join();
        assertThat(appended).isEqualTo(records.size() + 1L);
      } finally {
        log.close();
      }
      assertThat(rewritten(dir.resolve("again"), records)).isEqualTo(records);
    } finally {
      deleteRecursively(dir);
    }
  }

  /**
   * The records a fresh log in {@code dir} reads back after appending {@code records}' payloads.
   */
  private static List<LogRecord> rewritten(Path dir, List<LogRecord> records) {
    UpdateLog log = UpdateLog.open(dir, CONFIG);
    List<LogRecord> read = new ArrayList<>();
    try {
      for (LogRecord record : records) {
        log.append(record.payload()).join();
      }
      log.replay(1, read::add);
    } finally {
      log.close();
    }
    return read;
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      files
          .sorted(Comparator.reverseOrder())
          .forEach(
              file -> {
                try {
                  Files.delete(file);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    }
  }

  /** Writes the seed corpus (a segment of three records, one empty) under {@code args[0]}. */
  public static void main(String[] args) throws IOException {
    Path out = Files.createDirectories(Path.of(args[0]).resolve("segments"));
    Path dir = Files.createTempDirectory("update-log-seed");
    UpdateLog log = UpdateLog.open(dir, CONFIG);
    log.append(ByteString.copyFromUtf8("first")).join();
    log.append(ByteString.copyFrom(new byte[] {0, 1, 2, (byte) 0xff})).join();
    log.append(ByteString.EMPTY).join();
    log.close();
    Files.copy(dir.resolve(SEGMENT), out.resolve("seed-three-records"));
    deleteRecursively(dir);
  }
}
