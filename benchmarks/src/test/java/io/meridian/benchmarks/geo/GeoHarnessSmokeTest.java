package io.meridian.benchmarks.geo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The harness end to end, short: three region processes behind the WAN proxy, a few hundred
 * operations, r2's clock two minutes ahead, a partition, a kill after which r3 restarts with its
 * clock two minutes behind, a pause and a one-way partition; the checker passes. Then the lossy
 * mode, which loses acknowledged updates on purpose: the checker must fail and say what was lost.
 */
class GeoHarnessSmokeTest {
  @TempDir Path out;

  /** A finished invocation of the command: its exit status, results and printed lines. */
  private record Run(int exit, GeoResult result, String printed) {}

  private Run run(String... options) {
    ByteArrayOutputStream lines = new ByteArrayOutputStream();
    GeoHarness harness =
        new GeoHarness().progress(new PrintStream(lines, true, StandardCharsets.UTF_8));
    List<String> arguments = new ArrayList<>(List.of(options));
    arguments.addAll(
        List.of(
            "--seconds",
            "8",
            "--rate",
            "60",
            "--sessions",
            "4",
            "--warmup-requests",
            "50",
            "--out",
            out.toString()));
    int exit = new CommandLine(harness).execute(arguments.toArray(String[]::new));
    return new Run(exit, harness.result(), lines.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aShortRunWithFaultsPassesTheChecker() throws Exception {
    Run run =
        run(
            "--seed", "13",
            "--delays-ms", "20,30,40",
            "--clock-offset-ms", "r2=120000",
            "--fault", "partition-hold:r1-r2@1000-2500",
            "--fault", "clock-back:r3@3000-4500",
            "--fault", "pause:r2@5000-6000",
            "--fault", "one-way:r1>r3@6000-7000");
    GeoResult result = run.result();
    assertThat(result.violations()).as(run.printed()).isEmpty();
    assertThat(run.exit()).isZero();
    assertThat(result.history()).hasSizeGreaterThan(300);
    assertThat(result.converged()).isTrue();
    assertThat(result.windows()).hasSize(4);
    assertThat(result.recoveries()).hasSize(1);
    // Each heal of a partition is measured per direction cut: both of r1-r2, r1>r3 alone.
    assertThat(result.heals())
        .extracting(heal -> heal.from() + ">" + heal.to())
        .containsExactly("r1>r2", "r2>r1", "r1>r3");
    assertThat(result.heals())
        .allSatisfy(
            heal -> {
              assertThat(heal.convergedMillis()).as(heal.toString()).isNotNegative();
              assertThat(heal.reconnectMillis()).as(heal.toString()).isNotNegative();
              assertThat(heal.linkBytes()).as(heal.toString()).isPositive();
            });
    assertThat(run.printed()).contains("geo: [").contains("checker passed");
    assertThat(Files.readString(out.resolve("report.html"))).contains("<svg class=\"chart\"");
    assertThat(Files.size(out.resolve("results.json"))).isPositive();
  }

  @Test
  void theLossyModeMakesTheCheckerFail() {
    Run run = run("--seed", "7", "--delays-ms", "20", "--lossy", "--converge-timeout-ms", "8000");
    assertThat(run.exit()).as(run.printed()).isEqualTo(1);
    assertThat(run.result().violations()).anyMatch(v -> v.startsWith("lost acknowledged"));
    assertThat(run.printed())
        .contains("CHECKER FAILED")
        .contains("seed 7")
        .contains("lose-disk:r1@");
  }
}
