package io.meridian.server.storage;

import com.google.protobuf.ByteString;
import io.meridian.clocks.VersionVector;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A second JVM for storage tests: one that holds a data directory's lock, or one that dies in the
 * middle of a checkpoint. Started by {@link #start}; not a test itself.
 */
final class ChildProcess {
  private ChildProcess() {}

  public static void main(String[] arguments) throws IOException {
    switch (arguments[0]) {
      case "hold-lock" -> holdLock(Path.of(arguments[1]));
      case "crash-mid-checkpoint" -> crashMidCheckpoint(Path.of(arguments[1]));
      default -> throw new IllegalArgumentException(arguments[0]);
    }
  }

  private static void holdLock(Path root) throws IOException {
    try (DataDirectory directory = DataDirectory.open(root)) {
      System.out.println("locked " + directory.root());
      System.out.flush();
      // Hold the lock until the parent closes our standard input.
      while (System.in.read() >= 0) {
        // keep reading
      }
    }
  }

  /** Commits checkpoint 1 (key a=1), then dies without a clean close inside checkpoint 2. */
  private static void crashMidCheckpoint(Path file) {
    CheckpointStore store = CheckpointStore.open(file);
    store.commit(VersionVector.of("r1", 1), 1, Map.of(bytes("a"), bytes("1")), Set.of());
    Map<ByteString, ByteString> many = new HashMap<>();
    for (int i = 0; i < 5_000; i++) {
      many.put(bytes("key-" + i), bytes("value-" + i));
    }
    many.put(bytes("a"), bytes("2"));
    store.commit(
        VersionVector.of("r1", 2),
        2,
        many,
        Set.of(),
        () -> {
          System.out.println("crashing");
          System.out.flush();
          Runtime.getRuntime().halt(3);
        });
  }

  static ByteString bytes(String text) {
    return ByteString.copyFrom(text, StandardCharsets.UTF_8);
  }

  /** Starts this class's main in a new JVM with the test class path. */
  static Process start(String... arguments) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    String[] command = new String[arguments.length + 4];
    command[0] = java;
    command[1] = "-cp";
    command[2] = System.getProperty("java.class.path");
    command[3] = ChildProcess.class.getName();
    System.arraycopy(arguments, 0, command, 4, arguments.length);
    return new ProcessBuilder(command).redirectErrorStream(true).start();
  }

  static String firstLine(Process process) throws IOException {
    BufferedReader reader =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    return reader.readLine();
  }

  static int awaitExit(Process process) throws InterruptedException {
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("child process did not exit");
    }
    return process.exitValue();
  }
}
