package io.meridian.benchmarks.geo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.meridian.benchmarks.geo.Operation.Kind;
import io.meridian.benchmarks.geo.Operation.Outcome;
import io.meridian.benchmarks.geo.Workload.WorkloadConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loads a report in headless Chromium ({@code chromium --headless --dump-dom}) and reads back how
 * many charts the browser laid out: the report's script marks each SVG chart whose data elements
 * have a non-empty bounding box. Skipped where Chromium is not installed, unless {@code
 * MERIDIAN_CHROMIUM_REQUIRED=1}.
 */
class GeoReportBrowserTest {
  @TempDir Path directory;

  @Test
  void chromiumRendersEveryChart() throws Exception {
    String chromium = chromium();
    boolean required = "1".equals(System.getenv("MERIDIAN_CHROMIUM_REQUIRED"));
    assumeTrue(chromium != null || required, "chromium is not installed");
    assertThat(chromium).as("chromium on PATH").isNotNull();
    Path html = GeoReport.write(sampleResult(), directory);
    Process browser =
        new ProcessBuilder(
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--user-data-dir=" + directory.resolve("profile"),
                "--dump-dom",
                html.toUri().toString())
            .redirectError(directory.resolve("chromium.err").toFile())
            .start();
    byte[] dom = browser.getInputStream().readAllBytes();
    assertThat(browser.waitFor(120, TimeUnit.SECONDS)).isTrue();
    String text = new String(dom, StandardCharsets.UTF_8);
    assertThat(text).contains("data-charts-rendered=\"" + GeoReport.CHARTS + "\"");
    assertThat(text.split("data-rendered=\"true\"", -1)).hasSize(GeoReport.CHARTS + 1);
  }

  private static String chromium() throws IOException {
    for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
      for (String directory : System.getenv("PATH").split(":")) {
        Path candidate = Path.of(directory, name);
        if (Files.isExecutable(candidate)) {
          return candidate.toString();
        }
      }
    }
    return null;
  }

  /** A small run's results, made by hand: two regions, a fault, some probes. */
  static GeoResult sampleResult() {
    List<String> regions = List.of("r1", "r2");
    Fault fault = new Fault(Fault.Kind.PARTITION_HOLD, "r1", "r2", 1000, 2000);
    GeoRun.Config config =
        new GeoRun.Config(
            2,
            4000,
            new WorkloadConfig(2, 10, 1, 1, 1, 0, 100, 5),
            List.of(40L),
            5,
            0,
            List.of(fault),
            1000,
            1000,
            List.of(),
            0,
            Map.of(),
            false);
    List<Operation> history = new ArrayList<>();
    List<Workload.Visibility> probes = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      history.add(
          new Operation(
              i,
              i % 2,
              Kind.INCREMENT,
              regions.get(i % 2),
              List.of("c-0"),
              "s" + i,
              1L,
              i * 100L,
              i * 100L,
              i * 100L + 3 + i % 7,
              Outcome.OK,
              200,
              List.of(1L),
              null,
              null));
      probes.add(
          new Workload.Visibility(
              regions.get(i % 2), regions.get(1 - i % 2), i * 100L, 42 + i % 5));
    }
    return new GeoResult(
        config,
        regions,
        List.of(new GeoRun.Window(fault, 1001, 2003)),
        List.of(),
        List.of(
            new HealMeter.Heal(fault.toString(), "r1", "r2", 1001, 2003, 40, 180, 5, 300, 7, 4200),
            new HealMeter.Heal(fault.toString(), "r2", "r1", 1001, 2003, 45, 190, 5, 300, 6, 3900)),
        history,
        0,
        probes,
        Map.of("r1>r2", 40L, "r2>r1", 40L),
        Map.of("r1>r2", 9000L, "r2>r1", 8000L),
        Map.of("r1", 1_000_000L, "r2", 1_000_000L),
        true,
        300,
        Map.of("r1", 200L, "r2", 300L),
        Map.of("r1", Map.of("c-0", 40L), "r2", Map.of("c-0", 40L)),
        List.of(),
        1.0,
        1.5);
  }
}
