package io.meridian.benchmarks.geo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The harness end to end, short: three region processes behind the WAN proxy, a few hundred
 * operations, a partition, a kill and a pause; the checker passes. Then the lossy mode, which loses
 * acknowledged updates on purpose: the checker must fail and say what was lost.
 */
class GeoHarnessSmokeTest {
  @TempDir Path out;

  @Test
  void aShortRunWithFaultsPassesTheChecker() throws Exception {
    ByteArrayOutputStream lines = new ByteArrayOutputStream();
    GeoHarness harness =
        new GeoHarness().progress(new PrintStream(lines, true, StandardCharsets.UTF_8));
    int exit =
        new CommandLine(harness)
            .execute(
                "--seed",
                "13",
                "--seconds",
                "8",
                "--rate",
                "60",
                "--sessions",
                "4",
                "--delays-ms",
                "20,30,40",
                "--fault",
                "partition-hold:r1-r2@1000-2500",
                "--fault",
                "kill:r3@3000-4500",
                "--fault",
                "pause:r2@5000-6000",
                "--fault",
                "one-way:r1>r3@6000-7000",
                "--warmup-requests",
                "50",
                "--out",
                out.toString());
    String printed = lines.toString(StandardCharsets.UTF_8);
    GeoResult result = harness.result();
    assertThat(result.violations()).as(printed).isEmpty();
    assertThat(exit).isZero();
    assertThat(result.history()).hasSizeGreaterThan(300);
    assertThat(result.converged()).isTrue();
    assertThat(result.windows()).hasSize(4);
    assertThat(result.recoveries()).hasSize(1);
    assertThat(printed).contains("geo: [").contains("checker passed");
    assertThat(Files.readString(out.resolve("report.html"))).contains("<svg class=\"chart\"");
    assertThat(Files.size(out.resolve("results.json"))).isPositive();
  }

  @Test
  void theLossyModeMakesTheCheckerFail() throws Exception {
    ByteArrayOutputStream lines = new ByteArrayOutputStream();
    GeoHarness harness =
        new GeoHarness().progress(new PrintStream(lines, true, StandardCharsets.UTF_8));
    int exit =
        new CommandLine(harness)
            .execute(
                "--seed",
                "7",
                "--seconds",
                "6",
                "--rate",
                "60",
                "--sessions",
                "4",
                "--delays-ms",
                "20",
                "--lossy",
                "--converge-timeout-ms",
                "8000",
                "--warmup-requests",
                "50",
                "--out",
                out.toString());
    String printed = lines.toString(StandardCharsets.UTF_8);
    assertThat(exit).as(printed).isEqualTo(1);
    assertThat(harness.result().violations()).anyMatch(v -> v.startsWith("lost acknowledged"));
    assertThat(printed).contains("CHECKER FAILED").contains("seed 7").contains("lose-disk:r1@");
  }
}
