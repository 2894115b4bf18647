package io.meridian.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The application is killed with {@code kill -9} at a random point while it writes on its offline
 * directory, sometimes with every region unreachable, sometimes while it drains its queue to them,
 * and restarted on the same directory, again and again; then the regions must show every update
 * that the application was told is durable, each exactly once, in the order it wrote them.
 *
 * <p>Seeded: {@code -Dmeridian.crash.seed=N} replays a run, {@code -Dmeridian.crash.runs=N} kills
 * more often (the long run uses 100). The seed is printed first.
 */
class CrashRestartTest {
  @TempDir Path data;
  @TempDir Path offline;

  @Test
  void everyDurableUpdateReachesEveryRegionExactlyOnceInOrder() throws Exception {
    long seed = Long.getLong("meridian.crash.seed", System.nanoTime());
    int runs = Integer.getInteger("meridian.crash.runs", 5);
    System.out.println("CrashRestartTest seed=" + seed + " runs=" + runs);
    Random random = new Random(seed);
    try (LocalRegions regions = new LocalRegions(data)) {
      List<FaultProxy> proxies = regions.proxies();
      StringBuilder urls = new StringBuilder();
      for (int i = 0; i < regions.size(); i++) {
        FaultProxy proxy = proxies.get(i);
        urls.append(urls.length() == 0 ? "" : ",")
            .append(LocalRegions.NAMES.get(i))
            .append('=')
            .append(proxy.url());
      }
      Map<String, Integer> printedByRun = new LinkedHashMap<>();
      try {
        for (int run = 0; run < runs; run++) {
          boolean reachable = run > 0 && random.nextBoolean();
          proxies.forEach(
              proxy -> proxy.mode(reachable ? FaultProxy.Mode.FORWARD : FaultProxy.Mode.DOWN));
          int killAfter = 1 + random.nextInt(25);
          String label = "run" + run;
          long started = System.nanoTime();
          printedByRun.put(label, killAfter(offline, label, urls.toString(), killAfter));
          System.out.printf(
              "%s: %s, killed after %d durable batches, %d ms%n",
              label,
              reachable ? "regions reachable" : "regions unreachable",
              killAfter,
              (System.nanoTime() - started) / 1_000_000);
        }
        proxies.forEach(proxy -> proxy.mode(FaultProxy.Mode.FORWARD));
        long draining = System.nanoTime();
        try (Meridian client = regions.builder().offlineDirectory(offline).build()) {
          assertThat(client.awaitSynced(Duration.ofSeconds(60)))
              .as("seed %d: the queue drained", seed)
              .isTrue();
          assertThat(client.syncStatus().rejectedUpdates()).isZero();
        }
        System.out.printf("drained in %d ms%n", (System.nanoTime() - draining) / 1_000_000);
        checkRegions(regions, printedByRun, seed);
      } finally {
        proxies.forEach(FaultProxy::close);
      }
    }
  }

  /** Runs the application until it printed {@code lines} durable updates, then kills it. */
  private static int killAfter(Path offline, String label, String urls, int lines)
      throws Exception {
    Process process = OfflineWriterProcess.start(offline.toString(), label, urls, "1000");
    int printed = 0;
    List<String> other = new ArrayList<>();
    try (BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while (printed < lines && (line = reader.readLine()) != null) {
        if (line.startsWith("durable ")) {
          assertThat(line).isEqualTo("durable " + label + "-" + printed);
          printed++;
        } else {
          other.add(line);
        }
      }
      process.destroyForcibly();
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(printed).as("the application printed %s", other).isEqualTo(lines);
    return printed;
  }

  /**
   * Every region must show, for each run, the elements of a prefix of its batches at least as long
   * as what it printed (a batch committed just before the kill may not have been printed), the
   * counter equal to their number, and the list in the order they were written.
   */
  private static void checkRegions(LocalRegions regions, Map<String, Integer> printed, long seed)
      throws Exception {
    long deadline = System.currentTimeMillis() + 60_000;
    List<String> failures = List.of("not read");
    while (System.currentTimeMillis() < deadline) {
      failures = new ArrayList<>();
      for (int i = 0; i < regions.size(); i++) {
        try (Meridian direct =
            Meridian.builder()
                .region(LocalRegions.NAMES.get(i), regions.url(i))
                .guarantees(Set.of())
                .build()) {
          long count = direct.counter("crash", "count").value();
          Set<String> set = direct.growOnlySet("crash", "set", Codec.strings()).elements();
          List<String> list = direct.list("crash", "list", Codec.strings()).values();
          List<String> expected = new ArrayList<>();
          for (Map.Entry<String, Integer> run : printed.entrySet()) {
            int index = 0;
            while (set.contains(run.getKey() + "-" + index)) {
              expected.add(run.getKey() + "-" + index);
              index++;
            }
            if (index < run.getValue()) {
              failures.add(LocalRegions.NAMES.get(i) + " lost " + run.getKey() + "-" + index);
            }
          }
          if (count != expected.size() || set.size() != expected.size() || !list.equals(expected)) {
            failures.add(
                LocalRegions.NAMES.get(i)
                    + ": count "
                    + count
                    + ", set "
                    + set.size()
                    + ", list "
                    + list
                    + ", expected "
                    + expected);
          }
        }
      }
      if (failures.isEmpty()) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("seed " + seed + ": " + failures);
  }
}
