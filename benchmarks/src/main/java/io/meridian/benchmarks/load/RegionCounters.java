package io.meridian.benchmarks.load;

import io.meridian.server.HostPort;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The loaded region's own counters, read from its {@code /metrics} at the start and the end of a
 * measured window: replication frames and entries it sent, and its update log's fsyncs and appends.
 * Per acknowledged update they show what batching does (frames per update) and what group commit
 * does (fsyncs per update).
 */
final class RegionCounters {
  private static final String[] NAMES = {
    "meridian_frames_sent_total",
    "meridian_frames_entries_sent_total",
    "meridian_log_fsyncs_total",
    "meridian_log_appends_total"
  };
  private static final long SCRAPE_SECONDS_MAX = 10;

  private final Map<String, Double> values;

  private RegionCounters(Map<String, Double> values) {
    this.values = values;
  }

  /** Starts reading the counters of {@code region}; an unreadable answer gives no counters. */
  static Future<RegionCounters> read(LoadClient client, HostPort region) {
    return client
        .send(region, HttpMethod.GET, "/metrics", null, Map.of())
        .map(reply -> parse(reply.status() == 200 ? reply.body().toString() : ""))
        .otherwise(error -> new RegionCounters(Map.of()));
  }

  static RegionCounters await(Future<RegionCounters> pending) {
    try {
      return pending
          .toCompletionStage()
          .toCompletableFuture()
          .get(SCRAPE_SECONDS_MAX, TimeUnit.SECONDS);
    } catch (Exception e) {
      return new RegionCounters(Map.of());
    }
  }

  /** Sums each counter over its tags, from the Prometheus text format. */
  static RegionCounters parse(String text) {
    Map<String, Double> sums = new HashMap<>();
    for (String line : text.split("\n")) {
      for (String name : NAMES) {
        if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
          try {
            double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            sums.merge(name, value, Double::sum);
          } catch (NumberFormatException e) {
            // Not a sample line of this counter: ignored.
          }
        }
      }
    }
    return new RegionCounters(sums);
  }

  /** One line: per acknowledged update, the counters' growth from {@code start} to this. */
  String summarySince(RegionCounters start, long updates) {
    if (values.isEmpty() || start.values.isEmpty() || updates == 0) {
      return "region 1 counters: not readable";
    }
    double frames = delta(start, NAMES[0]);
    double entries = delta(start, NAMES[1]);
    double fsyncs = delta(start, NAMES[2]);
    double appends = delta(start, NAMES[3]);
    return String.format(
        Locale.ROOT,
        "region 1 per acknowledged update: %.3f frames sent (%.1f entries a frame), %.3f log"
            + " fsyncs (%.1f log records an fsync)",
        frames / updates,
        frames == 0 ? 0.0 : entries / frames,
        fsyncs / updates,
        fsyncs == 0 ? 0.0 : appends / fsyncs);
  }

  private double delta(RegionCounters start, String name) {
    return values.getOrDefault(name, 0.0) - start.values.getOrDefault(name, 0.0);
  }
}
