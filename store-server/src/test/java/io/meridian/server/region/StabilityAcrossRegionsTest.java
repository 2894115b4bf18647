package io.meridian.server.region;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.server.Region;
import io.meridian.server.RegionConfig;
import io.meridian.server.http.HttpApiConfig;
import io.meridian.server.storage.UpdateLogConfig;
import io.meridian.server.tls.DevelopmentCertificates;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Garbage collection across real regions (S7): log entries and log segments leave a region only
 * once every region has acknowledged them, so a region that is cut off holds them back everywhere,
 * and healing releases them. Three regions in one JVM with small log segments and frequent
 * checkpoints, so that segment deletion shows within a test.
 */
class StabilityAcrossRegionsTest {
  private static final HttpTestClient HTTP = new HttpTestClient();
  private static final int WRITES = 120;

  @TempDir Path data;
  private Vertx vertx;
  private final List<Region> regions = new ArrayList<>();

  @AfterEach
  void stop() {
    regions.forEach(Region::close);
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().join();
    }
  }

  private void start() throws Exception {
    vertx = Vertx.vertx();
    List<String> names = List.of("r1", "r2", "r3");
    DevelopmentCertificates.generate(data.resolve("tls"), names);
    List<RegionConfig> configs =
        RegionConfig.localMesh(
            names,
            data,
            false,
            0,
            HttpApiConfig.defaults(),
            UpdateLogConfig.defaults().withSegmentBytesMax(1024),
            RegionConfig.OPERATION_ID_RETENTION_MILLIS_DEFAULT);
    regions.addAll(
        Region.startAll(vertx, configs, owner -> owner.withCheckpointIntervalMillis(100)));
  }

  @Test
  void aCutOffRegionHoldsBackTrimmingEverywhereAndHealingReleasesIt() throws Exception {
    start();
    isolate(2, true);
    for (int i = 0; i < WRITES; i++) {
      update(0, "gc", "count", "{\"type\":\"g-counter\",\"op\":\"increment\"}");
      update(1, "gc", "set", "{\"type\":\"aw-set\",\"op\":\"add\",\"elements\":[\"e" + i + "\"]}");
    }
    await(() -> value(1, "count") == WRITES && value(0, "set") == WRITES, "r1 and r2 converge");
    int segmentsWhileCut = segments(0);
    assertThat(segmentsWhileCut).as("r1's log spans several 1 KiB segments").isGreaterThan(2);
    // Several checkpoint intervals pass: nothing may leave r1's or r2's log while r3 lacks it.
    Thread.sleep(1_000);
    assertThat(logLength(0)).as("r1 log entries while r3 is cut off").isEqualTo(2L * WRITES);
    assertThat(logLength(1)).as("r2 log entries while r3 is cut off").isEqualTo(2L * WRITES);
    assertThat(segments(0)).isGreaterThanOrEqualTo(segmentsWhileCut);
    assertThat(value(2, "count")).as("r3 has seen nothing").isEqualTo(-1);

    isolate(2, false);
    await(
        () -> value(2, "count") == WRITES && value(2, "set") == WRITES,
        "r3 catches up after healing");
    await(
        () -> logLength(0) == 0 && logLength(1) == 0 && logLength(2) == 0,
        "every log empties once every region acknowledged every entry");
    await(() -> segments(0) < segmentsWhileCut, "r1 deletes stable, checkpointed segments");
    // The values are the same after trimming and folding.
    for (int region = 0; region < 3; region++) {
      assertThat(value(region, "count")).isEqualTo(WRITES);
      assertThat(value(region, "set")).isEqualTo(WRITES);
    }
  }

  private void update(int region, String bucket, String key, String body) {
    HttpTestClient.Reply reply =
        HTTP.post(regions.get(region).httpPort(), "/v1/buckets/" + bucket + "/keys/" + key, body);
    assertThat(reply.status()).as("%s", reply.body()).isEqualTo(200);
  }

  /** The counter's value, the set's size, or -1 when the key is not there. */
  private long value(int region, String key) {
    HttpTestClient.Reply reply =
        HTTP.get(regions.get(region).httpPort(), "/v1/buckets/gc/keys/" + key);
    if (reply.status() == 404) {
      return -1;
    }
    JsonNode value = reply.body().get("value");
    return value.isArray() ? value.size() : value.asLong();
  }

  private long logLength(int region) {
    return HTTP.get(regions.get(region).httpPort(), "/v1/status").body().get("logLength").asLong();
  }

  private int segments(int region) {
    Path log = data.resolve(regions.get(region).config().region()).resolve("log");
    try (Stream<Path> segments = Files.list(log)) {
      return (int) segments.filter(path -> path.toString().endsWith(".log")).count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void isolate(int region, boolean blocked) {
    String name = regions.get(region).config().region();
    for (int other = 0; other < regions.size(); other++) {
      if (other != region) {
        join(regions.get(region).transport().block(regions.get(other).config().region(), blocked));
        join(regions.get(other).transport().block(name, blocked));
      }
    }
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("timed out waiting until " + what);
  }

  private static <T> T join(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
