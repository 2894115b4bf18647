package io.meridian.server.region;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.clocks.VersionVector;
import io.meridian.crdt.CrdtRegistry;
import io.meridian.replication.ReplicationConfig;
import io.meridian.server.http.ApiException;
import io.meridian.server.http.ErrorCode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One region owner on its own (no peers): restart from a checkpoint plus the log after it,
 * pipelined updates that see each other, batches all or nothing, and session waits.
 */
class RegionOwnerRestartTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Vertx vertx = Vertx.vertx();
  @TempDir Path directory;

  @AfterEach
  void stop() {
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  private RegionOwner open(long checkpointIntervalMillis) {
    ReplicationConfig replication = ReplicationConfig.builder("solo", List.of("solo")).build();
    return RegionOwner.open(
        vertx,
        RegionOwnerConfig.defaults(replication, directory)
            .withCheckpointIntervalMillis(checkpointIntervalMillis),
        new SimpleMeterRegistry());
  }

  private static UpdateRequest update(String key, String json) throws Exception {
    return new UpdateRequest(
        new ObjectName("b", key), CrdtRegistry.parseUpdate(JSON.readTree(json)), null, null);
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** The first object of {@code result} as the HTTP layer renders it. */
  private static com.fasterxml.jackson.databind.JsonNode rendered(RegionResult result) {
    return RegionHttpService.render(result.objects().get(0));
  }

  private static long counter(RegionOwner owner, String key) throws Exception {
    return rendered(await(owner.read(List.of(new ObjectName("b", key)), VersionVector.empty(), 0)))
        .get("value")
        .asLong();
  }

  @Test
  void aRestartKeepsTheCheckpointAndReplaysTheLogAfterIt() throws Exception {
    RegionOwner owner = open(50);
    for (int i = 0; i < 20; i++) {
      await(
          owner.write(
              List.of(update("c", "{\"type\":\"g-counter\",\"op\":\"increment\"}")),
              VersionVector.empty(),
              0));
    }
    Thread.sleep(300); // several checkpoint intervals: the 20 are checkpointed
    for (int i = 0; i < 7; i++) {
      await(
          owner.write(
              List.of(update("c", "{\"type\":\"g-counter\",\"op\":\"increment\"}")),
              VersionVector.empty(),
              0));
      await(
          owner.write(
              List.of(update("s", "{\"type\":\"aw-set\",\"op\":\"add\",\"elements\":[" + i + "]}")),
              VersionVector.empty(),
              0));
    }
    await(owner.closeWithoutCheckpoint());

    RegionOwner reopened = open(60_000);
    assertThat(counter(reopened, "c")).isEqualTo(27);
    assertThat(
            rendered(
                    await(
                        reopened.read(List.of(new ObjectName("b", "s")), VersionVector.empty(), 0)))
                .get("value")
                .size())
        .isEqualTo(7);
    assertThat(await(reopened.appliedVector()).get("solo")).isEqualTo(34);
    // The next entry continues the sequence.
    VersionVector written =
        await(
                reopened.write(
                    List.of(update("c", "{\"type\":\"g-counter\",\"op\":\"increment\"}")),
                    VersionVector.empty(),
                    0))
            .vector();
    assertThat(written.get("solo")).isEqualTo(35);
    await(reopened.close());
    RegionOwner again = open(60_000);
    assertThat(counter(again, "c")).isEqualTo(28);
    await(again.close());
  }

  @Test
  void anOperationIdIsRefusedAfterARestartEvenOnceTheStateForgotIt() throws Exception {
    RegionOwner owner = open(50);
    UpdateRequest once =
        new UpdateRequest(
            new ObjectName("b", "ids"),
            CrdtRegistry.parseUpdate(
                JSON.readTree("{\"type\":\"g-counter\",\"op\":\"increment\"}")),
            "once",
            null);
    await(owner.write(List.of(once), VersionVector.empty(), 0));
    Thread.sleep(300); // alone, the entry is stable at once: folds drop the id from the state
    await(owner.close());

    RegionOwner reopened = open(60_000);
    await(reopened.write(List.of(once), VersionVector.empty(), 0));
    assertThat(counter(reopened, "ids")).isEqualTo(1);
    assertThat(await(reopened.appliedVector()).get("solo")).isEqualTo(1);
    await(reopened.close());
  }

  @Test
  void pipelinedUpdatesSeeEachOtherAndBatchesAreAllOrNothing() throws Exception {
    RegionOwner owner = open(60_000);
    List<Future<RegionResult>> inFlight = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      inFlight.add(
          owner.write(
              List.of(
                  update(
                      "list",
                      "{\"type\":\"list\",\"op\":\"insert\",\"index\":"
                          + i
                          + ",\"values\":["
                          + i
                          + "]}")),
              VersionVector.empty(),
              0));
    }
    for (Future<RegionResult> write : inFlight) {
      await(write);
    }
    var value =
        rendered(await(owner.read(List.of(new ObjectName("b", "list")), VersionVector.empty(), 0)))
            .get("value");
    for (int i = 0; i < 50; i++) {
      assertThat(value.get(i).asInt()).isEqualTo(i);
    }
    Future<RegionResult> bad =
        owner.write(
            List.of(
                update("x", "{\"type\":\"g-counter\",\"op\":\"increment\"}"),
                update("list", "{\"type\":\"g-counter\",\"op\":\"increment\"}")),
            VersionVector.empty(),
            0);
    assertThatThrownBy(() -> await(bad))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.TYPE_MISMATCH);
              assertThat(e.index()).hasValue(1);
            });
    assertThat(
            rendered(await(owner.read(List.of(new ObjectName("b", "x")), VersionVector.empty(), 0)))
                .has("found"))
        .isTrue();
    assertThat(await(owner.appliedVector()).get("solo")).isEqualTo(50);
    await(owner.close());
  }

  @Test
  void stableMetadataIsFoldedAway() throws Exception {
    // A region alone: everything it applied is stable and settled at once, so the next periodic
    // fold compacts the tags that a set's adds left in its context.
    RegionOwner owner = open(50);
    for (int i = 0; i < 5; i++) {
      await(
          owner.write(
              List.of(
                  update("set", "{\"type\":\"aw-set\",\"op\":\"add\",\"elements\":[" + i + "]}")),
              VersionVector.empty(),
              0));
    }
    var before = context(owner, "set");
    assertThat(before.cloud()).isNotEmpty();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!context(owner, "set").cloud().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(context(owner, "set").cloud()).isEmpty();
    assertThat(
            rendered(
                    await(
                        owner.read(List.of(new ObjectName("b", "set")), VersionVector.empty(), 0)))
                .get("value")
                .size())
        .isEqualTo(5);
    await(owner.close());
  }

  private static io.meridian.clocks.CausalContext context(RegionOwner owner, String key)
      throws Exception {
    return CrdtRegistry.decodeContext(
        rendered(await(owner.read(List.of(new ObjectName("b", key)), VersionVector.empty(), 0)))
            .get("context")
            .asText());
  }

  @Test
  void aSessionAheadOfTheRegionWaitsThenIsRefused() throws Exception {
    RegionOwner owner = open(60_000);
    VersionVector future = VersionVector.of("solo", 5);
    Future<RegionResult> refusedAtOnce = owner.read(List.of(new ObjectName("b", "k")), future, 0);
    assertThatThrownBy(() -> await(refusedAtOnce))
        .cause()
        .isInstanceOfSatisfying(
            ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.SESSION_UNAVAILABLE));
    Future<RegionResult> waiting =
        owner.read(List.of(new ObjectName("b", "k")), VersionVector.of("solo", 1), 10_000);
    assertThat(waiting.isComplete()).isFalse();
    await(
        owner.write(
            List.of(update("k", "{\"type\":\"g-counter\",\"op\":\"increment\"}")),
            VersionVector.empty(),
            0));
    assertThat(rendered(await(waiting)).get("value").asLong()).isEqualTo(1);
    await(owner.close());
  }
}
