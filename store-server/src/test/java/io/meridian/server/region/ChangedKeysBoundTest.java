package io.meridian.server.region;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.clocks.VersionVector;
import io.meridian.crdt.CrdtRegistry;
import io.meridian.replication.ReplicationConfig;
import io.meridian.server.http.ApiException;
import io.meridian.server.http.ErrorCode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * The hard bound of changed keys not yet on disk: while the checkpoint store is behind, local
 * writes past {@link RegionOwnerConfig#changedKeysHardMax()} are answered {@code overloaded} with a
 * Retry-After and counted, and change nothing; once the checkpoint is on disk they are served.
 */
class ChangedKeysBoundTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String INCREMENT = "{\"type\":\"pn-counter\",\"op\":\"increment\"}";

  private final MemoryRegionLog log = new MemoryRegionLog();
  private final MemoryRegionCheckpoints checkpoints = new MemoryRegionCheckpoints();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private boolean pumpWanted;
  private RegionDriver driver;

  @Test
  void writesPastTheHardBoundAreRefusedUntilTheCheckpointIsOnDisk() throws Exception {
    RegionOwnerConfig config =
        RegionOwnerConfig.defaults(
                ReplicationConfig.builder("solo", List.of("solo")).batchWindowTicks(0).build(),
                Path.of("unused"))
            .withStateMemory(0, 1, 2);
    long[] millis = {1_000_000};
    driver =
        RegionDriver.recover(
            config,
            new RegionDriver.Environment(
                log, checkpoints, () -> millis[0]++, registry, () -> pumpWanted = true));
    driver.pump();
    checkpoints.holdCommits(true);

    // a: applied, then checkpointed early (1 changed key) into a commit that stays open.
    assertThat(settled(write("a"))).isCompleted();
    // b: applied while that commit runs; a and b are now changed and not on disk.
    assertThat(settled(write("b"))).isCompleted();

    CompletableFuture<RegionResult> refused = settled(write("c"));
    assertThat(refused).isCompletedExceptionally();
    ApiException error = apiError(refused);
    assertThat(error.code()).isEqualTo(ErrorCode.OVERLOADED);
    assertThat(error.code().status()).isEqualTo(503);
    assertThat(error.retryAfterSeconds()).hasValue(1);
    assertThat(registry.get("meridian.checkpoint.behind").counter().count()).isEqualTo(1);
    assertThat(value("c")).isNull();

    // The commit of a ends; b is checkpointed at the next Ready, and c is served.
    assertThat(checkpoints.completeHeld()).isTrue();
    checkpoints.holdCommits(false);
    assertThat(settled(write("c"))).isCompleted();
    assertThat(value("a")).isEqualTo(1);
    assertThat(value("b")).isEqualTo(1);
    assertThat(value("c")).isEqualTo(1);
    assertThat(registry.get("meridian.checkpoint.behind").counter().count()).isEqualTo(1);
  }

  private CompletableFuture<RegionResult> write(String key) throws Exception {
    return driver.write(
        List.of(
            new UpdateRequest(
                new ObjectName("b", key),
                CrdtRegistry.parseUpdate(JSON.readTree(INCREMENT)),
                null,
                null)),
        VersionVector.empty(),
        0);
  }

  private <T> CompletableFuture<T> settled(CompletableFuture<T> answer) {
    for (int round = 0; round < 1_000; round++) {
      boolean pumped = pumpWanted;
      if (pumped) {
        pumpWanted = false;
        driver.pump();
      }
      boolean completed = log.groupsInFlight() > 0;
      if (completed) {
        log.completeOldestGroup();
      }
      if (!pumped && !completed) {
        return answer;
      }
    }
    throw new AssertionError("the driver did not settle in 1,000 rounds");
  }

  private Long value(String key) throws Exception {
    RegionObject object =
        driver
            .read(List.of(new ObjectName("b", key)), VersionVector.empty(), 0)
            .get()
            .objects()
            .get(0);
    return object.found() ? object.type().value(object.state()).asLong() : null;
  }

  private static ApiException apiError(CompletableFuture<?> answer) {
    try {
      answer.join();
    } catch (CompletionException e) {
      return (ApiException) e.getCause();
    }
    throw new AssertionError("the write succeeded");
  }
}
