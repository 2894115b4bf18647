package io.meridian.benchmarks.geo;

import io.meridian.benchmarks.geo.Operation.Outcome;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Everything one run produced: the configuration and seed, the faults as applied, the history, the
 * visibility probes, the links' bytes, the regions' CPU, convergence, the final states and the
 * checker's verdict; and the figures derived from them.
 *
 * @param config what the run did
 * @param regions the regions' names
 * @param windows the faults as applied
 * @param recoveries restarts after kills
 * @param heals convergence and bytes after each heal of a partition during the run
 * @param history every client operation
 * @param operationsNotSent operations the open loop was too far behind to send before the end
 * @param visibility the visibility probes
 * @param linkDelaysMillis directed link ({@code A>B}) → injected one-way delay
 * @param linkBytes directed link → bytes forwarded
 * @param cpuNanos region → CPU time of its processes over the run
 * @param converged whether the regions converged after the heal
 * @param convergedMillis from the heal to convergence (or to giving up)
 * @param matchedMillis region → from the heal to the first poll since which it held the final state
 * @param finalStates region → key → value
 * @param violations the checker's findings
 * @param loadBefore the machine's load average before the run
 * @param loadAfter after it
 */
public record GeoResult(
    GeoRun.Config config,
    List<String> regions,
    List<GeoRun.Window> windows,
    List<GeoRun.Recovery> recoveries,
    List<HealMeter.Heal> heals,
    List<Operation> history,
    long operationsNotSent,
    List<Workload.Visibility> visibility,
    Map<String, Long> linkDelaysMillis,
    Map<String, Long> linkBytes,
    Map<String, Long> cpuNanos,
    boolean converged,
    long convergedMillis,
    Map<String, Long> matchedMillis,
    Map<String, Map<String, Object>> finalStates,
    List<String> violations,
    double loadBefore,
    double loadAfter) {

  /**
   * @return whether the checker found nothing
   */
  public boolean passed() {
    return violations.isEmpty();
  }

  /**
   * @return updates acknowledged (each operation id once)
   */
  public long acknowledgedUpdates() {
    return history.stream()
        .filter(o -> o.kind().isUpdate() && o.outcome() == Outcome.OK)
        .map(Operation::operationId)
        .distinct()
        .count();
  }

  /**
   * Latencies from the intended start of the operations that match, sorted.
   *
   * @param filter which operations
   * @return their latencies in milliseconds, ascending
   */
  public List<Long> latencies(Predicate<Operation> filter) {
    List<Long> out = new ArrayList<>();
    for (Operation operation : history) {
      if (operation.outcome() == Outcome.OK && filter.test(operation)) {
        out.add(operation.latencyMillis());
      }
    }
    Collections.sort(out);
    return out;
  }

  /**
   * The value at quantile {@code q} of sorted values (nearest rank).
   *
   * @param sorted ascending values
   * @param q quantile in [0, 1]
   * @return the value, or -1 when there is none
   */
  public static long percentile(List<Long> sorted, double q) {
    if (sorted.isEmpty()) {
      return -1;
    }
    int rank = (int) Math.ceil(q * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank)));
  }

  /**
   * Visibility delays from one region to another, sorted; probes not answered are left out.
   *
   * @param from the writing region
   * @param to the reading region
   * @return the delays in milliseconds, ascending
   */
  public List<Long> visibility(String from, String to) {
    List<Long> out = new ArrayList<>();
    for (Workload.Visibility probe : visibility) {
      if (probe.from().equals(from) && probe.to().equals(to) && probe.millis() >= 0) {
        out.add(probe.millis());
      }
    }
    Collections.sort(out);
    return out;
  }

  /**
   * @return the figures of the run as JSON (without the history)
   */
  public JsonObject summary() {
    JsonObject summary = new JsonObject();
    long measuredMillis = config.durationMillis();
    long completed = history.stream().filter(o -> o.outcome() == Outcome.OK).count();
    summary.put("operations", history.size());
    summary.put("operationsAnswered", completed);
    summary.put("operationsUnknown", count(Outcome.UNKNOWN));
    summary.put("operationsFailed", count(Outcome.FAILED));
    summary.put("operationsNotSentBehindSchedule", operationsNotSent);
    summary.put("updatesAcknowledged", acknowledgedUpdates());
    summary.put("throughputPerSecond", completed * 1000.0 / measuredMillis);
    summary.put("updateLatencyMillis", quantiles(latencies(o -> o.kind().isUpdate())));
    summary.put("readLatencyMillis", quantiles(latencies(o -> !o.kind().isUpdate())));
    JsonObject perRegion = new JsonObject();
    for (String region : regions) {
      perRegion.put(
          region, quantiles(latencies(o -> o.kind().isUpdate() && o.region().equals(region))));
    }
    summary.put("updateLatencyMillisPerRegion", perRegion);
    JsonObject pairs = new JsonObject();
    for (String from : regions) {
      for (String to : regions) {
        if (!from.equals(to)) {
          List<Long> delays = visibility(from, to);
          pairs.put(
              from + ">" + to,
              quantiles(delays).put("injectedOneWayMillis", linkDelaysMillis.get(from + ">" + to)));
        }
      }
    }
    summary.put("visibilityMillis", pairs);
    long bytes = linkBytes.values().stream().mapToLong(Long::longValue).sum();
    long acknowledged = Math.max(1, acknowledgedUpdates());
    summary.put("wireBytesPerUpdate", bytes / (double) acknowledged);
    long cpu = cpuNanos.values().stream().mapToLong(Long::longValue).sum();
    summary.put("regionsCpuMicrosPerUpdate", cpu / 1000.0 / acknowledged);
    summary.put("converged", converged);
    summary.put("convergenceMillisAfterHeal", convergedMillis);
    summary.put(
        "regionMatchedFinalMillisAfterHeal", new JsonObject(new LinkedHashMap<>(matchedMillis)));
    JsonArray restarts = new JsonArray();
    for (GeoRun.Recovery recovery : recoveries) {
      restarts.add(
          new JsonObject()
              .put("region", recovery.region())
              .put("readyMillis", recovery.readyMillis())
              .put("peersReconnectedMillis", recovery.reconnectMillis()));
    }
    summary.put("recoveries", restarts);
    JsonArray healed = new JsonArray();
    heals.forEach(heal -> healed.add(heal.toJson()));
    summary.put("heals", healed);
    summary.put("loadAverageBefore", loadBefore);
    summary.put("loadAverageAfter", loadAfter);
    return summary;
  }

  private long count(Outcome outcome) {
    return history.stream().filter(o -> o.outcome() == outcome).count();
  }

  private static JsonObject quantiles(List<Long> sorted) {
    return new JsonObject()
        .put("count", sorted.size())
        .put("p50", percentile(sorted, 0.50))
        .put("p99", percentile(sorted, 0.99))
        .put("p999", percentile(sorted, 0.999))
        .put("max", sorted.isEmpty() ? -1 : sorted.get(sorted.size() - 1));
  }

  /**
   * The raw results: configuration, seed, faults, summary, violations, probes and history.
   *
   * @return the JSON document
   */
  public JsonObject toJson() {
    JsonObject json = new JsonObject();
    json.put("seed", config.workload().seed());
    json.put("regions", regions);
    json.put("durationMillis", config.durationMillis());
    json.put("rate", config.workload().rate());
    json.put("sessions", config.workload().sessions());
    json.put("delaysMillis", config.delaysMillis());
    json.put("jitterMillis", config.jitterMillis());
    json.put("bytesPerSecondMax", config.bytesPerSecondMax());
    json.put("faults", config.faults().stream().map(Fault::toString).toList());
    JsonArray applied = new JsonArray();
    for (GeoRun.Window window : windows) {
      applied.add(
          new JsonObject()
              .put("fault", window.fault().toString())
              .put("startMillis", window.startMillis())
              .put("endMillis", window.endMillis()));
    }
    json.put("faultWindows", applied);
    json.put("summary", summary());
    json.put("violations", violations);
    json.put("linkBytes", new JsonObject(new LinkedHashMap<>(linkBytes)));
    JsonArray probes = new JsonArray();
    for (Workload.Visibility probe : visibility) {
      probes.add(
          new JsonObject()
              .put("from", probe.from())
              .put("to", probe.to())
              .put("atMillis", probe.atMillis())
              .put("millis", probe.millis()));
    }
    json.put("visibility", probes);
    JsonArray operations = new JsonArray();
    for (Operation operation : history) {
      operations.add(operation.toJson());
    }
    json.put("history", operations);
    return json;
  }

  /**
   * Operations that match, per second of their intended start.
   *
   * @param filter which operations
   * @return second → their latencies
   */
  public Map<Long, List<Long>> perSecond(Predicate<Operation> filter) {
    Map<Long, List<Long>> out = new LinkedHashMap<>();
    for (long second = 0; second * 1000 < config.durationMillis(); second++) {
      out.put(second, new ArrayList<>());
    }
    for (Operation operation : history) {
      if (filter.test(operation)) {
        out.computeIfAbsent(operation.intendedMillis() / 1000, s -> new ArrayList<>())
            .add(operation.latencyMillis());
      }
    }
    return out;
  }
}
