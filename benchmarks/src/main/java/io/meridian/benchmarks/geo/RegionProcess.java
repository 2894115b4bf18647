package io.meridian.benchmarks.geo;

import io.meridian.server.region.RegionOwner;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One region as its own {@code meridian server} JVM on 127.0.0.1, started from this process's class
 * path (the benchmarks jar holds the server). Its HTTP and replication ports are fixed at the first
 * start, so clients and proxies keep their addresses across a restart. Faults: {@link #kill()} is
 * {@code kill -9}, {@link #pause()} and {@link #resume()} are SIGSTOP and SIGCONT.
 */
public final class RegionProcess implements AutoCloseable {
  private static final String MAIN_CLASS = "io.meridian.server.cli.MeridianCommand";
  // Three JVMs starting at once on 2 cores at a load average of 30 took more than 60 s.
  private static final long READY_WAIT_MILLIS_MAX = 180_000;

  private final String name;
  private final List<String> command;
  private final Path data;
  private final Path logFile;
  private final int httpPort;
  private Process process;
  private int starts;
  private volatile long clockOffsetMillis;

  /**
   * Prepares (does not start) a region.
   *
   * @param name the region's name
   * @param httpPort its HTTP port
   * @param replicationPort its replication listener's port
   * @param peerArguments {@code NAME=127.0.0.1:PORT} for each peer (the proxies' ports)
   * @param allRegions every region's name
   * @param directory the run's directory: data, TLS material and logs go under it
   * @param jvmOptions extra JVM options for the region's process
   */
  public RegionProcess(
      String name,
      int httpPort,
      int replicationPort,
      List<String> peerArguments,
      List<String> allRegions,
      Path directory,
      List<String> jvmOptions) {
    this.name = name;
    this.httpPort = httpPort;
    this.data = directory.resolve("data-" + name);
    this.logFile = directory.resolve(name + ".log");
    List<String> arguments = new ArrayList<>();
    arguments.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    arguments.addAll(jvmOptions);
    arguments.add("-cp");
    arguments.add(System.getProperty("java.class.path"));
    arguments.add(MAIN_CLASS);
    arguments.add("server");
    arguments.add("--region=" + name);
    arguments.add("--http=127.0.0.1:" + httpPort);
    arguments.add("--replication=127.0.0.1:" + replicationPort);
    for (String peer : peerArguments) {
      arguments.add("--peer=" + peer);
    }
    arguments.add("--regions=" + String.join(",", allRegions));
    arguments.add("--data=" + data);
    arguments.add("--tls-dir=" + directory.resolve("tls"));
    // The harness's clients and WAN proxy speak plain HTTP; `server` serves HTTPS unless told.
    arguments.add("--http-plain");
    this.command = List.copyOf(arguments);
  }

  /**
   * Sets the offset of the region's physical clock from the next start on.
   *
   * @param millis milliseconds ahead (negative: behind)
   */
  public void clockOffsetMillis(long millis) {
    this.clockOffsetMillis = millis;
  }

  /**
   * @return the offset of the region's physical clock
   */
  public long clockOffsetMillis() {
    return clockOffsetMillis;
  }

  /**
   * @return the region's name
   */
  public String name() {
    return name;
  }

  /**
   * @return its HTTP base address
   */
  public String baseUri() {
    return "http://127.0.0.1:" + httpPort;
  }

  /**
   * Starts the process and waits until {@code /health/ready} answers 200.
   *
   * @throws IOException if it does not start or does not get ready in time
   * @throws InterruptedException if interrupted while waiting
   */
  public void start() throws IOException, InterruptedException {
    starts++;
    Files.writeString(
        logFile,
        "--- start " + starts + "\n",
        java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND);
    List<String> withClock = new ArrayList<>(command);
    if (clockOffsetMillis != 0) {
      withClock.add(1, "-D" + RegionOwner.CLOCK_OFFSET_PROPERTY + "=" + clockOffsetMillis);
    }
    process =
        new ProcessBuilder(withClock)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
            .start();
    awaitReady();
  }

  private void awaitReady() throws IOException, InterruptedException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.currentTimeMillis() + READY_WAIT_MILLIS_MAX;
    while (System.currentTimeMillis() < deadline) {
      if (!process.isAlive()) {
        throw new IOException(
            "region " + name + " exited with " + process.exitValue() + "; see " + logFile);
      }
      try {
        HttpResponse<Void> response =
            client.send(
                HttpRequest.newBuilder(URI.create(baseUri() + "/health/ready"))
                    .timeout(Duration.ofSeconds(1))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // Not listening yet.
      }
      Thread.sleep(100);
    }
    throw new IOException("region " + name + " not ready after " + READY_WAIT_MILLIS_MAX + " ms");
  }

  /** {@code kill -9}: no shutdown hook runs, whatever was not forced to disk is gone. */
  public void kill() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /**
   * Deletes the region's data directory: a lost disk (only the lossy mode does this).
   *
   * @throws IOException if a file cannot be deleted
   */
  public void wipeData() throws IOException {
    deleteTree(data);
  }

  /**
   * Deletes a directory and everything under it; nothing when it does not exist.
   *
   * @param directory the directory
   * @throws IOException if a file cannot be deleted
   */
  static void deleteTree(Path directory) throws IOException {
    if (!Files.exists(directory)) {
      return;
    }
    try (Stream<Path> files = Files.walk(directory)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(file);
      }
    }
  }

  /** SIGSTOP: the region stops running but keeps its sockets. */
  public void pause() throws IOException, InterruptedException {
    signal("STOP");
  }

  /** SIGCONT after {@link #pause()}. */
  public void resume() throws IOException, InterruptedException {
    signal("CONT");
  }

  private void signal(String signal) throws IOException, InterruptedException {
    if (process == null || !process.isAlive()) {
      return;
    }
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start();
    kill.waitFor(10, TimeUnit.SECONDS);
  }

  /**
   * @return the process's id, or -1 when it is not running
   */
  public long pid() {
    return process != null && process.isAlive() ? process.pid() : -1;
  }

  /**
   * @return the region's total CPU time in nanoseconds (this start), or -1 if unknown
   */
  public long cpuNanos() {
    if (process == null) {
      return -1;
    }
    return process.info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
  }

  @Override
  public void close() throws InterruptedException, IOException {
    if (process != null && process.isAlive()) {
      resume();
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
