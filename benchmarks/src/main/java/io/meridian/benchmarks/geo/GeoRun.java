package io.meridian.benchmarks.geo;

import io.meridian.benchmarks.geo.Workload.WorkloadConfig;
import io.meridian.server.tls.DevelopmentCertificates;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One run of the geo-replication harness: starts the regions as processes behind the WAN proxies,
 * drives the workload while the faults are injected, heals everything, waits for convergence, reads
 * every region's final state and checks the history. See {@link GeoHarness} for the command.
 */
public final class GeoRun {
  private static final long CONVERGE_POLL_MILLIS = 100;
  private static final long LOSE_DISK_WAIT_MILLIS_MAX = 30_000;

  private Config config;
  private String bucket = RegionClient.BUCKET;
  private final List<String> names = new ArrayList<>();
  private final Map<String, WanLink> links = new LinkedHashMap<>();
  private final List<WanProxy> proxies = new ArrayList<>();
  private final Map<String, RegionProcess> processes = new LinkedHashMap<>();
  private final Map<String, Long> cpuNanosOfEndedProcesses = new ConcurrentHashMap<>();
  private final List<Window> windows = new ArrayList<>();
  private final List<Recovery> recoveries = new ArrayList<>();
  private long runStartNanos;
  private Workload workload;
  private HealMeter healMeter;

  /**
   * What a run does.
   *
   * @param regions number of regions, 2 to 5
   * @param durationMillis how long the workload runs
   * @param workload the clients' shape (its seed is the run's seed)
   * @param delaysMillis one-way delay per region pair (pairs in order r1-r2, r1-r3, ..., cycled)
   * @param jitterMillis jitter bound of every link
   * @param bytesPerSecondMax bandwidth cap of every link, 0 for none
   * @param faults the fault schedule
   * @param requestTimeoutMillis a client request's timeout
   * @param convergeTimeoutMillis how long convergence after the heal may take before it fails
   * @param serverJvmOptions JVM options of the regions' processes
   * @param warmupRequests updates (and as many reads) sent to each region before the clock starts
   * @param clockOffsetsMillis region → offset of its physical clock (ahead; negative: behind)
   * @param keepDirectory keep the run's directory (data, logs) instead of deleting it
   */
  public record Config(
      int regions,
      long durationMillis,
      WorkloadConfig workload,
      List<Long> delaysMillis,
      long jitterMillis,
      long bytesPerSecondMax,
      List<Fault> faults,
      long requestTimeoutMillis,
      long convergeTimeoutMillis,
      List<String> serverJvmOptions,
      int warmupRequests,
      Map<String, Long> clockOffsetsMillis,
      boolean keepDirectory) {
    /** Checks the bounds. */
    public Config {
      if (regions < 2 || regions > 5) {
        throw new IllegalArgumentException("regions must be 2 to 5, got " + regions);
      }
      if (delaysMillis.isEmpty()) {
        throw new IllegalArgumentException("give at least one delay");
      }
    }
  }

  /**
   * A fault as it was applied.
   *
   * @param fault the scheduled fault
   * @param startMillis when it was applied, from the run's start
   * @param endMillis when it was healed
   */
  public record Window(Fault fault, long startMillis, long endMillis) {}

  /**
   * A region's restart after a kill.
   *
   * @param region the region
   * @param readyMillis from the restart to {@code /health/ready}
   * @param reconnectMillis from ready to every peer link connected again (-1: not within the bound)
   */
  public record Recovery(String region, long readyMillis, long reconnectMillis) {}

  /**
   * @param config what the run does
   */
  public GeoRun(Config config) {
    this.config = config;
    for (int i = 1; i <= config.regions(); i++) {
      names.add("r" + i);
    }
  }

  /**
   * Runs it.
   *
   * @param progress where the progress lines go
   * @return the results
   * @throws Exception if the regions cannot be started
   */
  public GeoResult run(PrintStream progress) throws Exception {
    Path directory = Files.createTempDirectory("meridian-geo");
    double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    try {
      start(directory);
      return drive(progress, loadBefore);
    } finally {
      for (RegionProcess process : processes.values()) {
        process.close();
      }
      proxies.forEach(WanProxy::close);
      if (config.keepDirectory()) {
        progress.println("geo: run directory kept: " + directory);
      } else {
        RegionProcess.deleteTree(directory);
      }
    }
  }

  // ------------------------------------------------------------------ campaign hooks

  /**
   * Starts the regions and proxies in {@code directory} and keeps them, for {@link GeoCampaign}:
   * then {@link #schedule} as often as wanted, and {@link #close}.
   */
  void open(Path directory) throws Exception {
    start(directory);
  }

  /**
   * One more schedule on the regions {@link #open} started: its workload and faults are {@code
   * schedule}'s (the regions, links and JVM options stay the first configuration's), and its keys
   * live in {@code scheduleBucket}, which no other schedule uses, so its checker judges objects
   * only this schedule's clients wrote.
   */
  GeoResult schedule(Config schedule, String scheduleBucket, PrintStream progress)
      throws Exception {
    config = schedule;
    bucket = scheduleBucket;
    windows.clear();
    recoveries.clear();
    cpuNanosOfEndedProcesses.clear();
    return drive(progress, ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
  }

  /** Stops the regions and proxies {@link #open} started. */
  void close() throws Exception {
    for (RegionProcess process : processes.values()) {
      process.close();
    }
    proxies.forEach(WanProxy::close);
  }

  private void start(Path directory) throws Exception {
    DevelopmentCertificates.generate(directory.resolve("tls"), names);
    Map<String, Integer> replicationPorts = new HashMap<>();
    Map<String, Integer> httpPorts = new HashMap<>();
    for (String name : names) {
      replicationPorts.put(name, freePort());
      httpPorts.put(name, freePort());
    }
    int pair = 0;
    for (int i = 0; i < names.size(); i++) {
      for (int j = i + 1; j < names.size(); j++) {
        long delay = config.delaysMillis().get(pair++ % config.delaysMillis().size());
        for (String[] ends :
            List.of(
                new String[] {names.get(i), names.get(j)},
                new String[] {names.get(j), names.get(i)})) {
          WanLink link = new WanLink(ends[0], ends[1], config.workload().seed() + links.size());
          link.delay(delay, config.jitterMillis());
          link.bandwidth(config.bytesPerSecondMax());
          links.put(ends[0] + ">" + ends[1], link);
        }
      }
    }
    Map<String, List<String>> peerArguments = new HashMap<>();
    for (String from : names) {
      List<String> peers = new ArrayList<>();
      for (String to : names) {
        if (!to.equals(from)) {
          WanProxy proxy = new WanProxy(link(from, to), link(to, from), replicationPorts.get(to));
          proxies.add(proxy);
          peers.add(to + "=127.0.0.1:" + proxy.port());
        }
      }
      peerArguments.put(from, peers);
    }
    for (String name : names) {
      RegionProcess process =
          new RegionProcess(
              name,
              httpPorts.get(name),
              replicationPorts.get(name),
              peerArguments.get(name),
              names,
              directory,
              config.serverJvmOptions());
      process.clockOffsetMillis(config.clockOffsetsMillis().getOrDefault(name, 0L));
      processes.put(name, process);
    }
    List<Thread> starting = new ArrayList<>();
    List<Exception> failures = new ArrayList<>();
    for (RegionProcess process : processes.values()) {
      Thread thread =
          new Thread(
              () -> {
                try {
                  process.start();
                } catch (Exception e) {
                  synchronized (failures) {
                    failures.add(e);
                  }
                }
              });
      thread.start();
      starting.add(thread);
    }
    for (Thread thread : starting) {
      thread.join();
    }
    if (!failures.isEmpty()) {
      throw failures.get(0);
    }
  }

  private WanLink link(String from, String to) {
    return links.get(from + ">" + to);
  }

  private GeoResult drive(PrintStream progress, double loadBefore) throws Exception {
    Map<String, String> uris = new LinkedHashMap<>();
    processes.forEach((name, process) -> uris.put(name, process.baseUri()));
    RegionClient client =
        new RegionClient(uris, Duration.ofMillis(config.requestTimeoutMillis()), bucket);
    warmUp(client, progress);
    Map<String, Long> cpuBefore = new HashMap<>();
    processes.forEach((name, process) -> cpuBefore.put(name, process.cpuNanos()));
    runStartNanos = System.nanoTime();
    Workload workload = new Workload(config.workload(), names, client, runStartNanos);
    this.workload = workload;
    healMeter =
        new HealMeter(
            client,
            uris,
            links,
            this::nowMillis,
            config.convergeTimeoutMillis(),
            workload::history);
    Thread injector = new Thread(this::injectFaults, "geo-faults");
    Progress bar = new Progress(progress, workload, config.durationMillis(), config.faults());
    injector.start();
    bar.start();
    workload.run(config.durationMillis());
    injector.join();
    bar.stop();
    List<HealMeter.Heal> heals = healMeter.await();
    long healMillis = nowMillis();
    healAll();
    List<String> keys = new ArrayList<>(workload.allKeys());
    names.forEach(name -> keys.add("probe-" + name));
    Map<String, Map<String, Object>> finalStates = new LinkedHashMap<>();
    Map<String, Long> matchedMillis = new LinkedHashMap<>();
    boolean converged = awaitConvergence(client, keys, finalStates, matchedMillis, healMillis);
    long convergedMillis = nowMillis() - healMillis;
    List<Operation> history = workload.history();
    List<String> violations = HistoryChecker.check(history, finalStates, converged);
    double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    Map<String, Long> cpuNanos = new LinkedHashMap<>();
    processes.forEach(
        (name, process) ->
            cpuNanos.put(
                name,
                Math.max(0, process.cpuNanos() - cpuBefore.getOrDefault(name, 0L))
                    + cpuNanosOfEndedProcesses.getOrDefault(name, 0L)));
    Map<String, Long> linkBytes = new LinkedHashMap<>();
    Map<String, Long> linkDelays = new LinkedHashMap<>();
    links.forEach(
        (name, link) -> {
          linkBytes.put(name, link.bytesForwarded());
          linkDelays.put(name, link.delayMillis());
        });
    return new GeoResult(
        config,
        names,
        List.copyOf(windows),
        List.copyOf(recoveries),
        heals,
        history,
        workload.notSent(),
        workload.visibility(),
        linkDelays,
        linkBytes,
        cpuNanos,
        converged,
        convergedMillis,
        matchedMillis,
        finalStates,
        violations,
        loadBefore,
        loadAfter);
  }

  long nowMillis() {
    return (System.nanoTime() - runStartNanos) / 1_000_000;
  }

  // ------------------------------------------------------------------ faults

  private void injectFaults() {
    List<Fault> faults = new ArrayList<>(config.faults());
    faults.sort(Comparator.comparingLong(Fault::startMillis));
    // Start and end events in time order, so overlapping faults are applied faithfully.
    List<long[]> events = new ArrayList<>();
    for (int i = 0; i < faults.size(); i++) {
      events.add(new long[] {faults.get(i).startMillis(), i, 1});
      events.add(new long[] {faults.get(i).endMillis(), i, 0});
    }
    events.sort(Comparator.<long[]>comparingLong(e -> e[0]).thenComparingLong(e -> e[2]));
    long[] applied = new long[faults.size()];
    for (long[] event : events) {
      long wait = event[0] - nowMillis();
      if (wait > 0) {
        sleep(wait);
      }
      Fault fault = faults.get((int) event[1]);
      try {
        if (event[2] == 1) {
          applied[(int) event[1]] = nowMillis();
          healMeter.begun(fault);
          begin(fault);
        } else {
          end(fault);
          healMeter.healed(fault, applied[(int) event[1]]);
          synchronized (windows) {
            windows.add(new Window(fault, applied[(int) event[1]], nowMillis()));
          }
        }
      } catch (Exception e) {
        throw new IllegalStateException("fault " + fault + " failed: " + e, e);
      }
    }
  }

  private void begin(Fault fault) throws Exception {
    switch (fault.kind()) {
      case PARTITION_HOLD -> both(fault, WanLink.Partition.HOLD);
      case PARTITION_DROP -> both(fault, WanLink.Partition.DROP);
      case ONE_WAY -> link(fault.first(), fault.second()).partition(WanLink.Partition.HOLD);
      case FLAP -> flap(fault);
      case LOSS -> {
        link(fault.first(), fault.second()).loss(0.05, Fault.LOSS_STALL_MILLIS);
        link(fault.second(), fault.first()).loss(0.05, Fault.LOSS_STALL_MILLIS);
      }
      case KILL, CLOCK_BACK -> kill(fault.first());
      case PAUSE -> processes.get(fault.first()).pause();
      case LOSE_DISK -> isolate(fault.first(), WanLink.Partition.HOLD);
    }
  }

  private void end(Fault fault) throws Exception {
    switch (fault.kind()) {
      case PARTITION_HOLD, PARTITION_DROP, FLAP -> both(fault, WanLink.Partition.NONE);
      case ONE_WAY -> link(fault.first(), fault.second()).partition(WanLink.Partition.NONE);
      case LOSS -> {
        link(fault.first(), fault.second()).loss(0, Fault.LOSS_STALL_MILLIS);
        link(fault.second(), fault.first()).loss(0, Fault.LOSS_STALL_MILLIS);
      }
      case KILL -> restart(fault.first());
      case CLOCK_BACK -> {
        RegionProcess process = processes.get(fault.first());
        process.clockOffsetMillis(process.clockOffsetMillis() - Fault.CLOCK_JUMP_MILLIS);
        restart(fault.first());
      }
      case PAUSE -> processes.get(fault.first()).resume();
      case LOSE_DISK -> {
        awaitAcknowledgedAt(fault.first(), fault.startMillis());
        kill(fault.first());
        processes.get(fault.first()).wipeData();
        isolate(fault.first(), WanLink.Partition.NONE);
        restart(fault.first());
      }
    }
  }

  /**
   * The lossy mode must lose something: waits (at most {@link #LOSE_DISK_WAIT_MILLIS_MAX}) until
   * the region acknowledged an update since the fault began.
   */
  private void awaitAcknowledgedAt(String region, long sinceMillis) {
    long deadline = nowMillis() + LOSE_DISK_WAIT_MILLIS_MAX;
    while (nowMillis() < deadline) {
      for (Operation operation : workload.history()) {
        if (operation.region().equals(region)
            && operation.kind().isUpdate()
            && operation.outcome() == Operation.Outcome.OK
            && operation.startMillis() >= sinceMillis) {
          return;
        }
      }
      sleep(50);
    }
  }

  /**
   * Sends {@link Config#warmupRequests()} updates and reads to each region before the clock starts,
   * so the regions' JIT compilation is not counted as the first seconds' latency.
   */
  private void warmUp(RegionClient client, PrintStream progress) throws InterruptedException {
    long started = System.nanoTime();
    List<Thread> threads = new ArrayList<>();
    for (String name : names) {
      Thread thread =
          new Thread(
              () -> {
                JsonObject increment =
                    new JsonObject().put("type", "g-counter").put("op", "increment");
                for (int i = 0; i < config.warmupRequests(); i++) {
                  RegionClient.await(client.update(name, "warmup-" + name, increment, null, null));
                  RegionClient.await(client.read(name, "warmup-" + name, null, null));
                }
              },
              "geo-warmup-" + name);
      thread.start();
      threads.add(thread);
    }
    for (Thread thread : threads) {
      thread.join();
    }
    progress.printf(
        "geo: warm-up of %d requests per region took %d ms%n",
        2 * config.warmupRequests(), (System.nanoTime() - started) / 1_000_000);
  }

  /** kill -9, keeping the CPU time the process had used. */
  private void kill(String region) throws InterruptedException {
    RegionProcess process = processes.get(region);
    long cpu = process.cpuNanos();
    process.kill();
    cpuNanosOfEndedProcesses.merge(region, Math.max(0, cpu), Long::sum);
  }

  private void both(Fault fault, WanLink.Partition partition) {
    link(fault.first(), fault.second()).partition(partition);
    link(fault.second(), fault.first()).partition(partition);
  }

  private void isolate(String region, WanLink.Partition partition) {
    for (WanLink link : links.values()) {
      if (link.from().equals(region) || link.to().equals(region)) {
        link.partition(partition);
      }
    }
  }

  /** Drops and restores the link every {@link Fault#FLAP_MILLIS} until the fault's end. */
  private void flap(Fault fault) {
    Thread flapper =
        new Thread(
            () -> {
              boolean down = true;
              while (nowMillis() < fault.endMillis() - Fault.FLAP_MILLIS) {
                both(fault, down ? WanLink.Partition.DROP : WanLink.Partition.NONE);
                down = !down;
                sleep(Fault.FLAP_MILLIS);
              }
            },
            "geo-flap");
    flapper.setDaemon(true);
    flapper.start();
  }

  private void restart(String region) throws Exception {
    long started = System.nanoTime();
    RegionProcess process = processes.get(region);
    process.start();
    long ready = (System.nanoTime() - started) / 1_000_000;
    long reconnect = awaitPeersConnected(process);
    synchronized (recoveries) {
      recoveries.add(new Recovery(region, ready, reconnect));
    }
  }

  /** Polls the region's status until every peer shows connected; -1 after 30 s. */
  private long awaitPeersConnected(RegionProcess process) {
    long started = System.nanoTime();
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    while (System.nanoTime() - started < 30_000_000_000L) {
      try {
        String body =
            http.send(
                    java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create(process.baseUri() + "/v1/status"))
                        .timeout(Duration.ofSeconds(2))
                        .build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString())
                .body();
        JsonObject status = new JsonObject(body);
        boolean all = true;
        for (Object peer : status.getJsonArray("peers")) {
          all &= ((JsonObject) peer).getBoolean("connected", false);
        }
        if (all) {
          return (System.nanoTime() - started) / 1_000_000;
        }
      } catch (IOException | RuntimeException e) {
        // Not answering yet.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return -1;
      }
      sleep(50);
    }
    return -1;
  }

  private void healAll() throws Exception {
    for (WanLink link : links.values()) {
      link.partition(WanLink.Partition.NONE);
      link.loss(0, Fault.LOSS_STALL_MILLIS);
    }
    for (RegionProcess process : processes.values()) {
      if (process.pid() < 0) {
        process.start();
      } else {
        process.resume();
      }
    }
  }

  // ------------------------------------------------------------------ convergence

  /**
   * Reads every region's state until all are equal (then {@code matchedMillis} holds, per region,
   * the first poll since which its state equals the final one) or the bound passes.
   */
  private boolean awaitConvergence(
      RegionClient client,
      List<String> keys,
      Map<String, Map<String, Object>> finalStates,
      Map<String, Long> matchedMillis,
      long healMillis) {
    long deadline = nowMillis() + config.convergeTimeoutMillis();
    List<Long> pollMillis = new ArrayList<>();
    List<Map<String, Map<String, Object>>> polls = new ArrayList<>();
    while (true) {
      finalStates.clear();
      Map<String, Map<String, Object>> poll = new HashMap<>();
      for (String name : names) {
        RegionClient.Answer answer = RegionClient.await(client.snapshot(name, keys, null, null));
        Map<String, Object> state = new LinkedHashMap<>();
        if (answer.ok()) {
          List<Object> values = RegionClient.snapshotValues(answer);
          for (int i = 0; i < keys.size(); i++) {
            if (values.get(i) != null) {
              state.put(keys.get(i), values.get(i));
            }
          }
        }
        finalStates.put(name, state);
        poll.put(name, normal(state));
      }
      pollMillis.add(nowMillis() - healMillis);
      polls.add(poll);
      Map<String, Object> reference = poll.get(names.get(0));
      boolean equal = !reference.isEmpty();
      for (String name : names) {
        equal &= poll.get(name).equals(reference);
      }
      if (equal) {
        for (String name : names) {
          int first = polls.size() - 1;
          while (first > 0 && polls.get(first - 1).get(name).equals(reference)) {
            first--;
          }
          matchedMillis.put(name, pollMillis.get(first));
        }
        return true;
      }
      if (nowMillis() > deadline) {
        return false;
      }
      sleep(CONVERGE_POLL_MILLIS);
    }
  }

  private static Map<String, Object> normal(Map<String, Object> state) {
    Map<String, Object> out = new HashMap<>();
    state.forEach((key, value) -> out.put(key, HistoryChecker.normal(value)));
    return out;
  }

  // ------------------------------------------------------------------ helpers

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
