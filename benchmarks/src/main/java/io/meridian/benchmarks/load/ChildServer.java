package io.meridian.benchmarks.load;

import io.meridian.server.HostPort;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server in its own JVM, started by the load tool so that the client's CPU is not the server's:
 * either the three regions of {@code meridian local} or the {@link CeilingServer}, each on the load
 * tool's own class path. Its output is copied to this process's, each line prefixed with its name;
 * the HTTP addresses are read from its startup lines. {@link #close} stops it (SIGTERM, then a
 * forced stop after 30 s) and deletes its data directory.
 */
final class ChildServer implements AutoCloseable {
  private static final Pattern REGION_LINE = Pattern.compile("^meridian region=\\S+ http=(\\S+)");
  private static final Pattern CEILING_LINE =
      Pattern.compile("^ceiling server listening on (\\S+)");
  private static final long START_SECONDS_MAX = 120;
  private static final long STOP_SECONDS_MAX = 30;

  private final String name;
  private final Process process;
  private final List<HostPort> addresses;
  private final Path data;

  private ChildServer(String name, Process process, List<HostPort> addresses, Path data) {
    this.name = name;
    this.process = process;
    this.addresses = addresses;
    this.data = data;
  }

  /**
   * Starts {@code count} regions ({@code meridian local}, mutual TLS, HTTP on free ports) in one
   * child JVM with {@code jvmOptions}, data in a new temporary directory under {@code parent} (the
   * default temporary directory when null).
   */
  static ChildServer regions(int count, List<String> jvmOptions, Path parent)
      throws IOException, InterruptedException {
    Path data =
        parent == null
            ? Files.createTempDirectory("meridian-load")
            : Files.createTempDirectory(parent, "meridian-load");
    List<String> arguments =
        List.of(
            "local",
            "--regions",
            Integer.toString(count),
            "--data",
            data.toString(),
            "--http-port-base",
            "0");
    return start(
        "regions",
        jvmOptions,
        "io.meridian.server.cli.MeridianCommand",
        arguments,
        REGION_LINE,
        count,
        data);
  }

  /** Starts the {@link CeilingServer} on a free port in a child JVM with {@code jvmOptions}. */
  static ChildServer ceiling(List<String> jvmOptions) throws IOException, InterruptedException {
    return start(
        "ceiling", jvmOptions, CeilingServer.class.getName(), List.of("0"), CEILING_LINE, 1, null);
  }

  private static ChildServer start(
      String name,
      List<String> jvmOptions,
      String mainClass,
      List<String> arguments,
      Pattern addressLine,
      int addressCount,
      Path data)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.addAll(arguments);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    BlockingQueue<HostPort> found = new ArrayBlockingQueue<>(addressCount);
    Thread copier =
        new Thread(
            () -> copyOutput(name, process, addressLine, found), "load-child-output-" + name);
    copier.setDaemon(true);
    copier.start();
    List<HostPort> addresses = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_SECONDS_MAX);
    while (addresses.size() < addressCount) {
      HostPort address = found.poll(100, TimeUnit.MILLISECONDS);
      if (address != null) {
        addresses.add(address);
      } else if (!process.isAlive() || System.nanoTime() > deadline) {
        ChildServer failed = new ChildServer(name, process, addresses, data);
        failed.close();
        throw new IOException(
            name + " did not start within " + START_SECONDS_MAX + " s: " + command);
      }
    }
    return new ChildServer(name, process, List.copyOf(addresses), data);
  }

  private static void copyOutput(
      String name, Process process, Pattern addressLine, BlockingQueue<HostPort> found) {
    try (BufferedReader lines =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = lines.readLine()) != null) {
        System.out.println("[" + name + "] " + line);
        Matcher matcher = addressLine.matcher(line);
        if (matcher.find()) {
          found.offer(HostPort.parse(matcher.group(1)));
        }
      }
    } catch (IOException e) {
      System.out.println("[" + name + "] output ended: " + e);
    }
  }

  /** The process id, whose CPU time the load tool reports per update. */
  long pid() {
    return process.pid();
  }

  /** The HTTP addresses from the startup lines, in order. */
  List<HostPort> addresses() {
    return addresses;
  }

  @Override
  public void close() throws IOException {
    process.destroy();
    try {
      if (!process.waitFor(STOP_SECONDS_MAX, TimeUnit.SECONDS)) {
        System.out.println("[" + name + "] did not stop within " + STOP_SECONDS_MAX + " s; killed");
        process.destroyForcibly().waitFor(STOP_SECONDS_MAX, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    if (data != null) {
      InProcessRegions.deleteTree(data);
    }
  }
}
