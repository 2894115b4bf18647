package io.meridian.benchmarks.geo;

import io.meridian.benchmarks.geo.Operation.Outcome;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Convergence after each heal of a link fault, while the workload goes on. When a partition heals,
 * for each direction A→B that was cut it measures, from the heal:
 *
 * <ul>
 *   <li>until A shows B connected again in {@code /v1/status} (the reconnect, with its backoff);
 *   <li>until B has applied everything A had: a marker increment is written at A right after the
 *       heal and read at B with the marker's session token and {@code RYW}, which B answers once it
 *       applied the marker; entries of one origin are applied in order, so by then B holds every
 *       update acknowledged at A before the heal (the ones made during the partition included).
 * </ul>
 *
 * <p>And what crossed the wire against what diverged: the bytes the link A→B forwarded from the
 * fault's start until B had caught up, the updates acknowledged at A during the fault (what
 * diverged) with the size of their request bodies as encoded by the client, and the updates
 * acknowledged at A over the whole window (the link also carries those made after the heal).
 */
public final class HealMeter {
  private static final long POLL_MILLIS = 20;

  private final RegionClient client;
  private final Map<String, String> baseUris;
  private final Map<String, WanLink> links;
  private final LongSupplier now;
  private final long boundMillis;
  private final Supplier<List<Operation>> history;
  private final Map<Fault, Map<String, Long>> bytesAtStart = new ConcurrentHashMap<>();
  private final List<Heal> heals = Collections.synchronizedList(new ArrayList<>());
  private final List<Thread> threads = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger markers = new AtomicInteger();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  /**
   * One direction of one heal.
   *
   * @param fault the fault that healed
   * @param from the region whose updates had to cross
   * @param to the region they crossed to
   * @param faultStartMillis when the fault began, from the run's start
   * @param healMillis when it healed, from the run's start
   * @param reconnectMillis from the heal until {@code from} showed {@code to} connected (-1: not
   *     within the bound)
   * @param convergedMillis from the heal until {@code to} had applied everything {@code from} had
   *     at the heal (-1: not within the bound)
   * @param divergedUpdates updates acknowledged at {@code from} between the fault's start and the
   *     heal
   * @param divergedBodyBytes their request bodies' size, as the client encoded them
   * @param windowUpdates updates acknowledged at {@code from} from the fault's start until {@code
   *     to} caught up
   * @param linkBytes bytes the link {@code from→to} forwarded over that window
   */
  public record Heal(
      String fault,
      String from,
      String to,
      long faultStartMillis,
      long healMillis,
      long reconnectMillis,
      long convergedMillis,
      long divergedUpdates,
      long divergedBodyBytes,
      long windowUpdates,
      long linkBytes) {

    /**
     * @return the link's bytes per update acknowledged at {@code from} over the window
     */
    public double bytesPerUpdate() {
      return linkBytes / (double) Math.max(1, windowUpdates);
    }

    /**
     * @return this heal as JSON
     */
    public JsonObject toJson() {
      return new JsonObject()
          .put("fault", fault)
          .put("from", from)
          .put("to", to)
          .put("faultStartMillis", faultStartMillis)
          .put("healMillis", healMillis)
          .put("reconnectMillis", reconnectMillis)
          .put("convergedMillis", convergedMillis)
          .put("divergedUpdates", divergedUpdates)
          .put("divergedBodyBytes", divergedBodyBytes)
          .put("windowUpdates", windowUpdates)
          .put("linkBytes", linkBytes)
          .put("linkBytesPerUpdate", bytesPerUpdate());
    }
  }

  /**
   * @param client the regions' HTTP client
   * @param baseUris region → its HTTP base address (for {@code /v1/status})
   * @param links directed link {@code A>B} → its emulation
   * @param now milliseconds from the run's start
   * @param boundMillis how long one measurement may take
   * @param history the history so far
   */
  HealMeter(
      RegionClient client,
      Map<String, String> baseUris,
      Map<String, WanLink> links,
      LongSupplier now,
      long boundMillis,
      Supplier<List<Operation>> history) {
    this.client = client;
    this.baseUris = Map.copyOf(baseUris);
    this.links = links;
    this.now = now;
    this.boundMillis = boundMillis;
    this.history = history;
  }

  /** The directions a link fault cuts: both, or the one of a one-way partition. */
  static List<String[]> directions(Fault fault) {
    List<String[]> out = new ArrayList<>();
    out.add(new String[] {fault.first(), fault.second()});
    if (fault.kind() != Fault.Kind.ONE_WAY) {
      out.add(new String[] {fault.second(), fault.first()});
    }
    return out;
  }

  /** Whether a heal of this fault is measured: the partitions (a lossy link is never cut). */
  static boolean measured(Fault fault) {
    return switch (fault.kind()) {
      case PARTITION_HOLD, PARTITION_DROP, ONE_WAY, FLAP -> true;
      default -> false;
    };
  }

  /**
   * Notes the links' byte counters as a fault begins.
   *
   * @param fault the fault
   */
  void begun(Fault fault) {
    if (!measured(fault)) {
      return;
    }
    Map<String, Long> bytes = new ConcurrentHashMap<>();
    for (String[] direction : directions(fault)) {
      String name = direction[0] + ">" + direction[1];
      bytes.put(name, links.get(name).bytesForwarded());
    }
    bytesAtStart.put(fault, bytes);
  }

  /**
   * Starts measuring the heal of a fault (one thread per direction), without waiting.
   *
   * @param fault the fault, just healed
   * @param startMillis when it began
   */
  void healed(Fault fault, long startMillis) {
    Map<String, Long> start = bytesAtStart.remove(fault);
    if (start == null) {
      return;
    }
    long healMillis = now.getAsLong();
    for (String[] direction : directions(fault)) {
      String from = direction[0];
      String to = direction[1];
      long bytes = start.get(from + ">" + to);
      Thread thread =
          new Thread(
              () -> heals.add(measure(fault, from, to, startMillis, healMillis, bytes)),
              "geo-heal-" + from + "-" + to);
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
    }
  }

  /**
   * Waits for the measurements still running (each is bounded).
   *
   * @return every heal measured, in the order of their heals
   * @throws InterruptedException if interrupted
   */
  List<Heal> await() throws InterruptedException {
    List<Thread> running;
    synchronized (threads) {
      running = new ArrayList<>(threads);
    }
    for (Thread thread : running) {
      thread.join();
    }
    synchronized (heals) {
      List<Heal> out = new ArrayList<>(heals);
      out.sort(
          (a, b) ->
              a.healMillis() != b.healMillis()
                  ? Long.compare(a.healMillis(), b.healMillis())
                  : (a.from() + a.to()).compareTo(b.from() + b.to()));
      return out;
    }
  }

  private Heal measure(
      Fault fault, String from, String to, long startMillis, long healMillis, long startBytes) {
    long deadline = healMillis + boundMillis;
    long reconnect = awaitConnected(from, to, deadline);
    long converged = awaitApplied(from, to, deadline);
    long convergedAt = converged < 0 ? now.getAsLong() : healMillis + converged;
    long bytes = links.get(from + ">" + to).bytesForwarded() - startBytes;
    Set<String> diverged = new HashSet<>();
    Set<String> window = new HashSet<>();
    long divergedBytes = 0;
    for (Operation operation : history.get()) {
      if (!operation.region().equals(from)
          || !operation.kind().isUpdate()
          || operation.outcome() != Outcome.OK
          || operation.endMillis() < startMillis) {
        continue;
      }
      if (operation.endMillis() <= healMillis && diverged.add(operation.operationId())) {
        divergedBytes +=
            Workload.updateBody(operation.kind(), operation.operationId(), operation.argument())
                .encode()
                .getBytes(StandardCharsets.UTF_8)
                .length;
      }
      if (operation.endMillis() <= convergedAt) {
        window.add(operation.operationId());
      }
    }
    return new Heal(
        fault.toString(),
        from,
        to,
        startMillis,
        healMillis,
        reconnect,
        converged,
        diverged.size(),
        divergedBytes,
        window.size(),
        bytes);
  }

  /** Polls {@code from}'s status until {@code to} shows connected; ms from the heal, or -1. */
  private long awaitConnected(String from, String to, long deadline) {
    long healMillis = deadline - boundMillis;
    while (now.getAsLong() < deadline) {
      try {
        String body =
            http.send(
                    HttpRequest.newBuilder(URI.create(baseUris.get(from) + "/v1/status"))
                        .timeout(Duration.ofSeconds(2))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .body();
        for (Object peer : new JsonObject(body).getJsonArray("peers")) {
          JsonObject status = (JsonObject) peer;
          if (to.equals(status.getString("name")) && status.getBoolean("connected", false)) {
            return now.getAsLong() - healMillis;
          }
        }
      } catch (IOException | RuntimeException e) {
        // Not answering now (a paused or restarting region): poll again.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return -1;
      }
      sleep(POLL_MILLIS);
    }
    return -1;
  }

  /** Writes a marker at {@code from}, reads it at {@code to} with RYW; ms from the heal, or -1. */
  private long awaitApplied(String from, String to, long deadline) {
    long healMillis = deadline - boundMillis;
    String key = "heal-" + markers.incrementAndGet() + "-" + from;
    JsonObject increment = new JsonObject().put("type", "g-counter").put("op", "increment");
    String token = null;
    while (token == null && now.getAsLong() < deadline) {
      RegionClient.Answer written =
          RegionClient.await(client.update(from, key, increment, null, null));
      if (written.ok()) {
        token = written.token();
      } else {
        sleep(POLL_MILLIS);
      }
    }
    while (token != null && now.getAsLong() < deadline) {
      if (RegionClient.await(client.read(to, key, token, "RYW")).ok()) {
        return now.getAsLong() - healMillis;
      }
      sleep(POLL_MILLIS);
    }
    return -1;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
