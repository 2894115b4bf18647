package io.meridian.server.region;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.server.Region;
import io.meridian.server.RegionConfig;
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
 * and healing releases them; and what the fold must keep: a client sequence's retry counts once
 * after its op id folded away. Three regions in one JVM with small log segments and frequent
 * checkpoints (each one folds), so that segment deletion and folds show within a test.
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
    start(RegionConfig.OPERATION_ID_RETENTION_MILLIS_DEFAULT);
  }

  private void start(long operationIdRetentionMillis) throws Exception {
    vertx = Vertx.vertx();
    List<String> names = List.of("r1", "r2", "r3");
    DevelopmentCertificates.generate(data.resolve("tls"), names);
    List<RegionConfig> configs =
        RegionConfig.localMesh(
            names,
            data,
            0,
            region ->
                region
                    .updateLog(UpdateLogConfig.defaults().withSegmentBytesMax(1024))
                    .operationIdRetentionMillis(operationIdRetentionMillis));
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

  @Test
  void aClientSequenceRetriedAtAnotherRegionAfterTheFoldCountsOnce() throws Exception {
    start(1);
    String phone = increment(5, "\"client\":\"phone-1\",\"seq\":1");
    String plain = increment(5, "\"id\":\"retry-1\"");
    assertThat(valueOf(post(0, "once", phone))).isEqualTo(5);
    assertThat(valueOf(post(0, "plain", plain))).isEqualTo(5);
    await(() -> seenEverywhere("once", 5) && seenEverywhere("plain", 5), "every region has both");
    // The control: an op id is remembered for the retention only (1 ms here) and by the state
    // until it is stable; a retry after both applies again. Once it does at r2, r2 has folded.
    await(() -> valueOf(post(1, "plain", plain)) == 10, "r2 folds the op id away");
    // The client sequence's retry, at r2 and at r3, is a duplicate.
    assertThat(valueOf(post(1, "once", phone))).isEqualTo(5);
    assertThat(valueOf(post(2, "once", phone))).isEqualTo(5);
    // The client's next update counts.
    String next = increment(2, "\"client\":\"phone-1\",\"seq\":2");
    assertThat(valueOf(post(2, "once", next))).isEqualTo(7);
    await(() -> seenEverywhere("once", 7), "every region has the next update");
    assertThat(valueOf(post(0, "once", phone))).isEqualTo(7);
  }

  @Test
  void copiesOfOneClientSequenceAtTwoCutOffRegionsCountOnceBeforeAndAfterTheFold()
      throws Exception {
    start(1);
    isolate(2, true);
    String phone = increment(3, "\"client\":\"phone-2\",\"seq\":1");
    assertThat(valueOf(post(0, "twice", phone))).isEqualTo(3);
    assertThat(valueOf(post(2, "twice", phone))).as("r3 has not seen r1's copy").isEqualTo(3);
    isolate(2, false);
    await(() -> seenEverywhere("twice", 3), "both copies everywhere, counted once");
    await(
        () -> logLength(0) == 0 && logLength(1) == 0 && logLength(2) == 0,
        "every region acknowledged both copies");
    String plain = increment(1, "\"id\":\"retry-2\"");
    assertThat(valueOf(post(0, "plain", plain))).isEqualTo(1);
    await(() -> valueOf(post(1, "plain", plain)) == 2, "r2 folds the op ids away");
    assertThat(valueOf(post(1, "twice", phone))).isEqualTo(3);
    assertThat(valueOf(get(1, "twice"))).isEqualTo(3);
  }

  @Test
  void aBatchRetriedAfterTheFoldIsADuplicateAtEveryKeyItUpdated() throws Exception {
    start(1);
    String batch =
        "{\"client\":\"phone-3\",\"seq\":1,\"updates\":["
            + "{\"bucket\":\"gc\",\"key\":\"left\",\"type\":\"pn-counter\",\"op\":\"increment\",\"by\":1},"
            + "{\"bucket\":\"gc\",\"key\":\"left\",\"type\":\"pn-counter\",\"op\":\"increment\",\"by\":2},"
            + "{\"bucket\":\"gc\",\"key\":\"right\",\"type\":\"pn-counter\",\"op\":\"increment\",\"by\":4}]}";
    assertThat(results(HTTP.post(regions.get(0).httpPort(), "/v1/batch", batch)))
        .as("a batch updating one key twice applies both")
        .containsExactly(3L, 3L, 4L);
    String plain = increment(1, "\"id\":\"retry-3\"");
    assertThat(valueOf(post(0, "plain", plain))).isEqualTo(1);
    await(() -> valueOf(post(1, "plain", plain)) == 2, "r2 folds the op ids away");
    assertThat(results(HTTP.post(regions.get(1).httpPort(), "/v1/batch", batch)))
        .containsExactly(3L, 3L, 4L);
  }

  @Test
  void badClientSequencesAreBadRequestsAndChangeNothing() throws Exception {
    start(1);
    String sequence = "\"client\":\"phone-4\",\"seq\":";
    List<String> bad =
        List.of(
            sequence + "0",
            sequence + "-1",
            sequence + "1.5",
            sequence + "9007199254740993",
            sequence + "\"1\"",
            "\"client\":\"phone 4\",\"seq\":1",
            "\"client\":\"" + "p".repeat(65) + "\",\"seq\":1",
            "\"client\":\"phone-4\"",
            "\"seq\":1",
            sequence + "1,\"id\":\"retry-4\"");
    for (String fields : bad) {
      HttpTestClient.Reply reply = post(0, "bad", increment(1, fields));
      assertThat(reply.status()).as(fields).isEqualTo(400);
      assertThat(reply.body().get("error").get("code").asText()).isEqualTo("bad_request");
    }
    String item = "{\"bucket\":\"gc\",\"key\":\"bad\",\"type\":\"pn-counter\",\"op\":\"increment\"";
    List<String> badBatches =
        List.of(
            "{\"updates\":[" + item + "}," + item + "," + sequence + "1}]}",
            "{" + sequence + "0,\"updates\":[" + item + "}]}",
            "{\"client\":\"phone-4\",\"updates\":[" + item + "}]}",
            "{" + sequence + "1,\"updates\":[" + item + ",\"id\":\"retry-4\"}]}");
    for (String batch : badBatches) {
      HttpTestClient.Reply reply = HTTP.post(regions.get(0).httpPort(), "/v1/batch", batch);
      assertThat(reply.status()).as(batch).isEqualTo(400);
      assertThat(reply.body().get("error").get("code").asText()).isEqualTo("bad_request");
    }
    assertThat(get(0, "bad").status()).as("nothing was applied").isEqualTo(404);
  }

  private static String increment(long by, String fields) {
    return "{\"type\":\"pn-counter\",\"op\":\"increment\",\"by\":" + by + "," + fields + "}";
  }

  private HttpTestClient.Reply post(int region, String key, String body) {
    return HTTP.post(regions.get(region).httpPort(), "/v1/buckets/gc/keys/" + key, body);
  }

  private HttpTestClient.Reply get(int region, String key) {
    return HTTP.get(regions.get(region).httpPort(), "/v1/buckets/gc/keys/" + key);
  }

  private static long valueOf(HttpTestClient.Reply reply) {
    assertThat(reply.status()).as("%s", reply.body()).isEqualTo(200);
    return reply.body().get("value").asLong();
  }

  private static List<Long> results(HttpTestClient.Reply reply) {
    assertThat(reply.status()).as("%s", reply.body()).isEqualTo(200);
    List<Long> values = new ArrayList<>();
    reply.body().get("results").forEach(object -> values.add(object.get("value").asLong()));
    return values;
  }

  private boolean seenEverywhere(String key, long value) {
    for (int region = 0; region < regions.size(); region++) {
      if (get(region, key).status() != 200 || valueOf(get(region, key)) != value) {
        return false;
      }
    }
    return true;
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
