package io.meridian.benchmarks.load;

import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * What one measured run saw: answers by kind and the latency distribution in microseconds. Counts
 * cover the measured window only (after the warm-up).
 *
 * @param name what was measured
 * @param seconds length of the measured window
 * @param succeeded 200 answers
 * @param refused answers other than 200 (503 {@code overloaded} included)
 * @param failed requests that got no answer: connection errors and idle timeouts (hangs)
 * @param shed requests the tool did not send because its own bound of outstanding requests was
 *     reached (open loop only)
 * @param latencyMicros latency of the 200 answers
 */
record RunResult(
    String name,
    double seconds,
    long succeeded,
    long refused,
    long failed,
    long shed,
    Histogram latencyMicros) {

  double succeededPerSecond() {
    return succeeded / seconds;
  }

  /** One line: rate, counts and percentiles in milliseconds. */
  String summary() {
    return String.format(
        Locale.ROOT,
        "%s: %.0f ok/s over %.1f s (ok %d, non-200 %d, no answer %d, shed %d);"
            + " latency ms p50 %.2f p90 %.2f p99 %.2f p99.9 %.2f max %.2f",
        name,
        succeededPerSecond(),
        seconds,
        succeeded,
        refused,
        failed,
        shed,
        percentileMillis(50),
        percentileMillis(90),
        percentileMillis(99),
        percentileMillis(99.9),
        latencyMicros.getMaxValue() / 1000.0);
  }

  double percentileMillis(double percentile) {
    return latencyMicros.getValueAtPercentile(percentile) / 1000.0;
  }
}
