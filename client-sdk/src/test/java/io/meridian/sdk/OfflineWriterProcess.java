package io.meridian.sdk;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The application that {@link CrashRestartTest} kills: on an offline directory, it writes batches
 * that each increment a counter, add an element to a set and append it to a list, printing {@code
 * durable ELEMENT} once a batch is on disk. Not a test itself.
 *
 * <p>Arguments: the offline directory, the run's label, {@code NAME=URL,...} of the regions, and
 * how many batches to write.
 */
final class OfflineWriterProcess {
  private OfflineWriterProcess() {}

  public static void main(String[] arguments) throws Exception {
    Meridian.Builder builder =
        Meridian.builder()
            .offlineDirectory(Path.of(arguments[0]))
            .requestTimeout(Duration.ofSeconds(2))
            .backoff(Duration.ofMillis(20), Duration.ofMillis(200));
    for (String region : arguments[2].split(",")) {
      String[] nameAndUrl = region.split("=", 2);
      builder.region(nameAndUrl[0], nameAndUrl[1]);
    }
    int batches = Integer.parseInt(arguments[3]);
    try (Meridian client = builder.build()) {
      Counter counter = client.counter("crash", "count");
      GrowOnlySet<String> set = client.growOnlySet("crash", "set", Codec.strings());
      ReplicatedList<String> list = client.list("crash", "list", Codec.strings());
      int size = list.values().size();
      for (int i = 0; i < batches; i++) {
        String element = arguments[1] + "-" + i;
        client.batch(
            counter.incrementUpdate(1),
            set.addUpdate(List.of(element)),
            list.insertUpdate(size++, List.of(element)));
        System.out.println("durable " + element);
        System.out.flush();
      }
    }
  }

  /** Starts this class's main in a new JVM with the test class path. */
  static Process start(String... arguments) throws java.io.IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    // A short-lived JVM: the quick compiler and the serial collector start it faster.
    String[] command = new String[arguments.length + 6];
    command[0] = java;
    command[1] = "-XX:TieredStopAtLevel=1";
    command[2] = "-XX:+UseSerialGC";
    command[3] = "-cp";
    command[4] = System.getProperty("java.class.path");
    command[5] = OfflineWriterProcess.class.getName();
    System.arraycopy(arguments, 0, command, 6, arguments.length);
    return new ProcessBuilder(command).redirectErrorStream(true).start();
  }
}
