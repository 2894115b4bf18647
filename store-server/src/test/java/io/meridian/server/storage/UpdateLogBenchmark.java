package io.meridian.server.storage;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * Measures the update log's group commit: appends per second and fsyncs per second for 1, 16 and 64
 * appenders, each waiting for its append to be durable before the next (a client waiting for its
 * acknowledgement). Not a test: run it by hand, on the disk a region would use.
 *
 * <p>Arguments: {@code [directory] [seconds per run] [payload bytes]}, default {@code
 * target/update-log-benchmark 5 64}.
 */
public final class UpdateLogBenchmark {
  private UpdateLogBenchmark() {}

  public static void main(String[] arguments) throws Exception {
    Path root = Path.of(arguments.length > 0 ? arguments[0] : "target/update-log-benchmark");
    int seconds = arguments.length > 1 ? Integer.parseInt(arguments[1]) : 5;
    int payloadBytes = arguments.length > 2 ? Integer.parseInt(arguments[2]) : 64;
    System.out.printf(
        "update log group commit: %d-byte payloads, %d s per run, in %s%n",
        payloadBytes, seconds, root.toAbsolutePath());
    System.out.printf(
        "%10s %14s %14s %18s%n", "appenders", "appends/s", "fsyncs/s", "appends/fsync");
    for (int appenders : new int[] {1, 16, 64}) {
      Path directory = root.resolve("appenders-" + appenders);
      deleteRecursively(directory);
      run(directory, appenders, seconds, payloadBytes);
      deleteRecursively(directory);
    }
  }

  private static void run(Path directory, int appenders, int seconds, int payloadBytes)
      throws InterruptedException {
    ByteString payload = ByteString.copyFrom(new byte[payloadBytes]);
    AtomicBoolean running = new AtomicBoolean(true);
    try (UpdateLog log = UpdateLog.open(directory, UpdateLogConfig.defaults())) {
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < appenders; i++) {
        Thread thread =
            new Thread(
                () -> {
                  while (running.get()) {
                    log.append(payload).join();
                  }
                });
        threads.add(thread);
      }
      long startAppends = log.appendCount();
      long startFsyncs = log.fsyncCount();
      long startNanos = System.nanoTime();
      threads.forEach(Thread::start);
      Thread.sleep(seconds * 1000L);
      running.set(false);
      for (Thread thread : threads) {
        thread.join();
      }
      double elapsedSeconds = (System.nanoTime() - startNanos) / 1e9;
      long appends = log.appendCount() - startAppends;
      long fsyncs = log.fsyncCount() - startFsyncs;
      System.out.printf(
          "%10d %14.0f %14.0f %18.1f%n",
          appenders, appends / elapsedSeconds, fsyncs / elapsedSeconds, (double) appends / fsyncs);
    }
  }

  private static void deleteRecursively(Path directory) {
    if (!Files.exists(directory)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot clean " + directory, e);
    }
  }
}
