package io.meridian.benchmarks.geo;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Short end-to-end runs of the SDK clients and the campaign: SDK sessions (closed loop) through a
 * kill of their home region, judged by the checker; a campaign of two schedules on kept regions
 * with raw and SDK clients and Zipfian keys; and a lossy campaign of SDK clients, which must fail
 * and name its seed and schedule.
 */
class GeoCampaignTest {
  @TempDir Path out;

  private static final List<String> SHORT =
      List.of("--seconds", "6", "--sessions", "4", "--warmup-requests", "30");

  @Test
  void sdkSessionsFailOverAcrossAKillAndPassTheChecker() {
    ByteArrayOutputStream lines = new ByteArrayOutputStream();
    GeoHarness harness =
        new GeoHarness().progress(new PrintStream(lines, true, StandardCharsets.UTF_8));
    List<String> arguments = new ArrayList<>(SHORT);
    arguments.addAll(
        List.of(
            "--seed",
            "31",
            "--clients",
            "sdk",
            "--back-to-back",
            "--rate",
            "1",
            "--delays-ms",
            "20",
            "--fault",
            "kill:r1@1000-2500",
            "--fault",
            "partition-drop:r2-r3@3000-4500",
            "--out",
            out.toString()));
    int exit = new CommandLine(harness).execute(arguments.toArray(String[]::new));
    String printed = lines.toString(StandardCharsets.UTF_8);
    GeoResult result = harness.result();
    assertThat(result.violations()).as(printed).isEmpty();
    assertThat(exit).isZero();
    // The open loop would send 6 operations at --rate 1; the closed loop ignores the rate.
    assertThat(result.history()).hasSizeGreaterThan(30);
    assertThat(result.operationsNotSent()).isZero();
    List<Operation> acknowledged =
        result.history().stream()
            .filter(o -> o.kind().isUpdate() && o.outcome() == Operation.Outcome.OK)
            .toList();
    // Every acknowledged SDK update carries its receipt's operation id, clientId.seq.
    assertThat(acknowledged).isNotEmpty().allMatch(o -> o.operationId().contains("."));
    // Session 0 lives at r1; while r1 was down the SDK failed over and was acknowledged elsewhere.
    assertThat(acknowledged).anyMatch(o -> o.session() == 0 && !o.region().equals("r1"));
  }

  private record Campaign(int exit, GeoCampaign campaign, String printed, JsonObject summary) {}

  private Campaign campaign(String... options) throws Exception {
    ByteArrayOutputStream lines = new ByteArrayOutputStream();
    GeoCampaign campaign =
        new GeoCampaign().progress(new PrintStream(lines, true, StandardCharsets.UTF_8));
    List<String> arguments = new ArrayList<>(SHORT);
    arguments.addAll(List.of(options));
    arguments.addAll(List.of("--rate", "40", "--out", out.toString()));
    int exit = new CommandLine(campaign).execute(arguments.toArray(String[]::new));
    JsonObject summary = new JsonObject(Files.readString(out.resolve("campaign.json")));
    return new Campaign(exit, campaign, lines.toString(StandardCharsets.UTF_8), summary);
  }

  @Test
  void aCampaignOfRawAndSdkClientsOnKeptRegionsPasses() throws Exception {
    Campaign run =
        campaign(
            "--seed",
            "500",
            "--schedules",
            "2",
            "--faults",
            "2",
            "--clients",
            "both",
            "--zipf",
            "1.0");
    assertThat(run.campaign().failures()).as(run.printed()).isEmpty();
    assertThat(run.exit()).isZero();
    JsonObject totals = run.summary().getJsonObject("totals");
    assertThat(totals.getInteger("schedules")).isEqualTo(2);
    assertThat(totals.getInteger("failed")).isZero();
    assertThat(totals.getLong("sdkOperations")).isPositive();
    assertThat(totals.getLong("operations")).isGreaterThan(totals.getLong("sdkOperations"));
    assertThat(totals.getLong("regionsCpuMillis")).isPositive();
    assertThat(run.campaign().schedules())
        .extracting(s -> s.getLong("seed"))
        .containsExactly(500L, 501L);
    // Each schedule's faults are the ones GeoHarness --seed S draws for the same options.
    assertThat(run.campaign().schedules().get(1).getJsonArray("faults").getList())
        .containsExactlyElementsOf(
            Fault.random(501, List.of("r1", "r2", "r3"), 6_000, 2).stream()
                .map(Fault::toString)
                .toList());
    assertThat(run.printed()).contains("#1 seed 501 passed");
  }

  @Test
  void variedSchedulesDrawEveryClientModeFromTheSeedAndReplayThroughTheHarness() {
    Set<GeoCampaign.Variant> seen = new HashSet<>();
    for (long seed = 0; seed < 200; seed++) {
      GeoCampaign.Variant variant = GeoCampaign.Variant.of(seed);
      assertThat(GeoCampaign.Variant.of(seed)).isEqualTo(variant);
      seen.add(variant);
      GeoHarness harness = new GeoHarness();
      new CommandLine(harness).parseArgs(variant.options().split(" "));
      harness.seed = seed;
      Workload.WorkloadConfig workload = harness.config().workload();
      assertThat(workload.clients().name()).isEqualToIgnoringCase(variant.clients());
      assertThat(workload.zipfExponent()).isEqualTo(variant.zipf());
      assertThat(workload.backToBack()).isEqualTo(variant.backToBack());
    }
    assertThat(seen).hasSize(12);
  }

  @Test
  void aLossyCampaignOfSdkClientsFailsAndNamesItsSeed() throws Exception {
    Campaign run =
        campaign(
            "--seed",
            "77",
            "--schedules",
            "1",
            "--clients",
            "sdk",
            "--lossy",
            "--delays-ms",
            "20",
            "--converge-timeout-ms",
            "8000");
    assertThat(run.exit()).as(run.printed()).isEqualTo(1);
    JsonObject failure = run.campaign().failures().get(0);
    assertThat(failure.getLong("seed")).isEqualTo(77L);
    assertThat(failure.getString("replay")).startsWith("--seed 77 --fault lose-disk:r1@");
    assertThat(failure.getJsonArray("violations").getList())
        .anyMatch(v -> v.toString().startsWith("lost acknowledged"));
    assertThat(run.summary().getJsonObject("totals").getInteger("failed")).isEqualTo(1);
    assertThat(run.printed()).contains("seed 77 FAILED").contains("FAILED (seeds [77])");
  }
}
