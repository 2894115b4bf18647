package io.meridian.server.region;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.server.Region;
import io.meridian.server.RegionConfig;
import io.meridian.server.tls.DevelopmentCertificates;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real regions in one JVM (storage, owner, mutual-TLS transport, HTTP on 127.0.0.1, port 0),
 * driven through HTTP: every type converges, batches are atomic to readers, snapshot reads, read
 * your writes across regions, a partition and a cut link.
 */
class RegionClusterTest {
  private static Vertx vertx;
  private static List<Region> regions;
  @TempDir static Path data;
  private static final HttpTestClient HTTP = new HttpTestClient();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    List<String> names = List.of("r1", "r2", "r3");
    DevelopmentCertificates.generate(data.resolve("tls"), names);
    List<RegionConfig> configs = RegionConfig.localMesh(names, data, 0, region -> region);
    regions = Region.startAll(vertx, configs);
  }

  @AfterAll
  static void stop() {
    if (regions != null) {
      regions.forEach(Region::close);
    }
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  private static int port(int region) {
    return regions.get(region).httpPort();
  }

  private static JsonNode update(int region, String bucket, String key, String body) {
    HttpTestClient.Reply reply =
        HTTP.post(port(region), "/v1/buckets/" + bucket + "/keys/" + key, body);
    assertThat(reply.status()).as("%s", reply.body()).isEqualTo(200);
    return reply.body();
  }

  /** Polls every region until {@code done} holds for the key's GET reply, or fails. */
  private static List<JsonNode> awaitEverywhere(
      String bucket, String key, Predicate<List<JsonNode>> done) throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    List<JsonNode> values = List.of();
    while (System.nanoTime() < deadline) {
      values = new ArrayList<>();
      for (int i = 0; i < regions.size(); i++) {
        HttpTestClient.Reply reply = HTTP.get(port(i), "/v1/buckets/" + bucket + "/keys/" + key);
        values.add(reply.status() == 200 ? reply.body().get("value") : null);
      }
      if (!values.contains(null) && done.test(values)) {
        return values;
      }
      Thread.sleep(50);
    }
    throw new AssertionError(bucket + "/" + key + " did not converge: " + values);
  }

  private static boolean allEqual(List<JsonNode> values) {
    return values.stream().distinct().count() == 1;
  }

  @Test
  void everyTypeConvergesAtEveryRegion() throws Exception {
    Map<String, List<String>> updatesByType =
        Map.of(
            "g-counter",
                List.of(
                    "{\"type\":\"g-counter\",\"op\":\"increment\",\"by\":2}",
                    "{\"type\":\"g-counter\",\"op\":\"increment\"}"),
            "pn-counter",
                List.of(
                    "{\"type\":\"pn-counter\",\"op\":\"increment\",\"by\":5}",
                    "{\"type\":\"pn-counter\",\"op\":\"decrement\",\"by\":7}"),
            "lww-register",
                List.of(
                    "{\"type\":\"lww-register\",\"op\":\"assign\",\"value\":{\"a\":1}}",
                    "{\"type\":\"lww-register\",\"op\":\"assign\",\"value\":\"x\"}"),
            "mv-register",
                List.of(
                    "{\"type\":\"mv-register\",\"op\":\"assign\",\"value\":1}",
                    "{\"type\":\"mv-register\",\"op\":\"assign\",\"value\":2}"),
            "ew-flag",
                List.of(
                    "{\"type\":\"ew-flag\",\"op\":\"enable\"}",
                    "{\"type\":\"ew-flag\",\"op\":\"disable\"}"),
            "g-set",
                List.of(
                    "{\"type\":\"g-set\",\"op\":\"add\",\"elements\":[\"a\",1]}",
                    "{\"type\":\"g-set\",\"op\":\"add\",\"elements\":[true]}"),
            "aw-set",
                List.of(
                    "{\"type\":\"aw-set\",\"op\":\"add\",\"elements\":[\"a\",\"b\"]}",
                    "{\"type\":\"aw-set\",\"op\":\"remove\",\"elements\":[\"zz\"]}"),
            "rw-set",
                List.of(
                    "{\"type\":\"rw-set\",\"op\":\"add\",\"elements\":[\"a\"]}",
                    "{\"type\":\"rw-set\",\"op\":\"add\",\"elements\":[\"b\"]}"),
            "or-map",
                List.of(
                    "{\"type\":\"or-map\",\"op\":\"update\",\"entries\":{\"n\":"
                        + "{\"type\":\"g-counter\",\"op\":\"increment\",\"by\":3}}}",
                    "{\"type\":\"or-map\",\"op\":\"update\",\"entries\":{\"s\":"
                        + "{\"type\":\"aw-set\",\"op\":\"add\",\"elements\":[\"q\"]}}}"),
            "list",
                List.of(
                    "{\"type\":\"list\",\"op\":\"insert\",\"index\":0,\"values\":[\"a\",\"b\"]}",
                    "{\"type\":\"list\",\"op\":\"insert\",\"index\":0,\"values\":[\"c\"]}"));
    for (Map.Entry<String, List<String>> type : updatesByType.entrySet()) {
      // The first update at r1, the second at r2 and r3, concurrently with the first's travel.
      update(0, "types", type.getKey(), type.getValue().get(0));
      update(1, "types", type.getKey(), type.getValue().get(1));
      update(2, "types", type.getKey(), type.getValue().get(1));
    }
    for (String type : updatesByType.keySet()) {
      awaitEverywhere("types", type, RegionClusterTest::allEqual);
    }
    assertThat(awaitEverywhere("types", "g-counter", RegionClusterTest::allEqual).get(0).asLong())
        .isEqualTo(4);
    assertThat(awaitEverywhere("types", "pn-counter", RegionClusterTest::allEqual).get(0).asLong())
        .isEqualTo(5 - 14);
    assertThat(awaitEverywhere("types", "g-set", RegionClusterTest::allEqual).get(0).toString())
        .isEqualTo("[true,1,\"a\"]");
    assertThat(awaitEverywhere("types", "list", RegionClusterTest::allEqual).get(0).size())
        .isEqualTo(4);
  }

  @Test
  void aSingleObjectRenderedToBytesEqualsTheTreeABatchReadRenders() throws Exception {
    Map<String, String> updates =
        Map.of(
            "g-counter", "{\"type\":\"g-counter\",\"op\":\"increment\",\"by\":3}",
            "lww-register",
                "{\"type\":\"lww-register\",\"op\":\"assign\",\"value\":{\"a\":[1,\"\\u00e9\"]}}",
            "aw-set", "{\"type\":\"aw-set\",\"op\":\"add\",\"elements\":[\"x\",2,false]}",
            "or-map",
                "{\"type\":\"or-map\",\"op\":\"update\",\"entries\":{\"n\":"
                    + "{\"type\":\"pn-counter\",\"op\":\"decrement\",\"by\":4}}}",
            "list", "{\"type\":\"list\",\"op\":\"insert\",\"index\":0,\"values\":[\"a\",1]}");
    for (Map.Entry<String, String> update : updates.entrySet()) {
      String path = "/v1/buckets/rendering/keys/" + update.getKey();
      HttpTestClient.Reply written = HTTP.post(port(0), path, update.getValue());
      assertThat(written.status()).isEqualTo(200);
      assertThat(written.preferenceApplied()).isNull();
      HttpTestClient.Reply single = HTTP.get(port(0), path);
      HttpTestClient.Reply read =
          HTTP.post(
              port(0),
              "/v1/read",
              "{\"keys\":[{\"bucket\":\"rendering\",\"key\":\"" + update.getKey() + "\"}]}");
      assertThat(single.body()).isEqualTo(read.body().get("objects").get(0));
      assertThat(written.body()).isEqualTo(single.body());
      assertThat(single.body().get("type").asText()).isEqualTo(update.getKey());
    }
  }

  @Test
  void aWriteThatPrefersAMinimalAnswerGetsItsNameAndTypeAndIsApplied() {
    String path = "/v1/buckets/minimal/keys/c";
    String increment = "{\"type\":\"pn-counter\",\"op\":\"increment\",\"by\":2}";
    HttpTestClient.Reply minimal =
        HTTP.post(port(0), path, increment, Map.of("Prefer", "handling=lenient, return=minimal"));
    assertThat(minimal.status()).isEqualTo(200);
    assertThat(minimal.preferenceApplied()).isEqualTo("return=minimal");
    assertThat(minimal.body().toString())
        .isEqualTo("{\"bucket\":\"minimal\",\"key\":\"c\",\"type\":\"pn-counter\"}");
    assertThat(minimal.session()).isNotNull();
    // Read-your-writes with the minimal answer's token: the write is in it.
    HttpTestClient.Reply read =
        HTTP.get(port(0), path, Map.of("Meridian-Session", minimal.session()));
    assertThat(read.body().get("value").asLong()).isEqualTo(2);
    HttpTestClient.Reply full =
        HTTP.post(port(0), path, increment, Map.of("Prefer", "return=representation"));
    assertThat(full.preferenceApplied()).isNull();
    assertThat(full.body().get("value").asLong()).isEqualTo(4);
    HttpTestClient.Reply mismatch =
        HTTP.post(
            port(0),
            path,
            "{\"type\":\"g-set\",\"op\":\"add\",\"elements\":[1]}",
            Map.of("Prefer", "return=minimal"));
    assertThat(mismatch.status()).isEqualTo(409);
    assertThat(mismatch.preferenceApplied()).isNull();
  }

  @Test
  void aKeyKeepsItsFirstTypeAndBadRequestsChangeNothing() {
    update(0, "typed", "k", "{\"type\":\"g-counter\",\"op\":\"increment\"}");
    HttpTestClient.Reply mismatch =
        HTTP.post(
            port(0),
            "/v1/buckets/typed/keys/k",
            "{\"type\":\"aw-set\",\"op\":\"add\",\"elements\":[1]}");
    assertThat(mismatch.status()).isEqualTo(409);
    assertThat(mismatch.body().get("error").get("code").asText()).isEqualTo("type_mismatch");
    HttpTestClient.Reply malformed = HTTP.post(port(0), "/v1/buckets/typed/keys/k", "{nope");
    assertThat(malformed.status()).isEqualTo(400);
    HttpTestClient.Reply batch =
        HTTP.post(
            port(0),
            "/v1/batch",
            "{\"updates\":[{\"bucket\":\"typed\",\"key\":\"k\",\"type\":\"g-counter\","
                + "\"op\":\"increment\"},{\"bucket\":\"typed\",\"key\":\"k\",\"type\":\"g-set\","
                + "\"op\":\"add\",\"elements\":[1]}]}");
    assertThat(batch.status()).isEqualTo(409);
    assertThat(batch.body().get("error").get("index").asInt()).isEqualTo(1);
    HttpTestClient.Reply after = HTTP.get(port(0), "/v1/buckets/typed/keys/k");
    assertThat(after.body().get("value").asLong()).isEqualTo(1);
    assertThat(HTTP.get(port(0), "/v1/buckets/typed/keys/never").status()).isEqualTo(404);
  }

  @Test
  void aBatchOrReadNamingAKeyAgainAnswersEveryItemWithTheObjectAfterIt() {
    String a = "{\"bucket\":\"repeat\",\"key\":\"a\",\"type\":\"pn-counter\",\"op\":\"increment\"";
    String b = "{\"bucket\":\"repeat\",\"key\":\"b\",\"type\":\"g-set\",\"op\":\"add\"";
    HttpTestClient.Reply batch =
        HTTP.post(
            port(0),
            "/v1/batch",
            "{\"updates\":["
                + a
                + ",\"by\":2},"
                + b
                + ",\"elements\":[1]},"
                + a
                + ",\"by\":3},"
                + b
                + ",\"elements\":[2]},"
                + a
                + ",\"by\":5}]}");
    assertThat(batch.status()).isEqualTo(200);
    JsonNode results = batch.body().get("results");
    assertThat(results).hasSize(5);
    for (int i : new int[] {0, 2, 4}) {
      assertThat(results.get(i).get("key").asText()).isEqualTo("a");
      assertThat(results.get(i).get("value").asLong()).isEqualTo(10);
      assertThat(results.get(i).get("context").asText())
          .isEqualTo(results.get(0).get("context").asText());
    }
    for (int i : new int[] {1, 3}) {
      assertThat(results.get(i).get("key").asText()).isEqualTo("b");
      assertThat(results.get(i).get("value").toString()).isEqualTo("[1,2]");
    }
    update(0, "repeat", "a", "{\"type\":\"pn-counter\",\"op\":\"increment\"}");
    HttpTestClient.Reply read =
        HTTP.post(
            port(0),
            "/v1/read",
            "{\"keys\":[{\"bucket\":\"repeat\",\"key\":\"a\"},"
                + "{\"bucket\":\"repeat\",\"key\":\"none\"},"
                + "{\"bucket\":\"repeat\",\"key\":\"a\"},"
                + "{\"bucket\":\"repeat\",\"key\":\"none\"}]}");
    assertThat(read.status()).isEqualTo(200);
    JsonNode objects = read.body().get("objects");
    assertThat(objects).hasSize(4);
    assertThat(objects.get(0).get("value").asLong()).isEqualTo(11);
    assertThat(objects.get(2)).isEqualTo(objects.get(0));
    assertThat(objects.get(1).get("found").asBoolean(true)).isFalse();
    assertThat(objects.get(3)).isEqualTo(objects.get(1));
  }

  @Test
  void aBatchAnswersEachKeyOnceOrNothingWhenItsAnswerFieldAsks() {
    String a = "{\"bucket\":\"answer\",\"key\":\"a\",\"type\":\"pn-counter\",\"op\":\"increment\"}";
    String b = "{\"bucket\":\"answer\",\"key\":\"b\",\"type\":\"g-set\",\"op\":\"add\",";
    String updates = "\"updates\":[" + a + "," + b + "\"elements\":[1]}," + a + "]";
    HttpTestClient.Reply objects =
        HTTP.post(port(0), "/v1/batch", "{\"answer\":\"objects\"," + updates + "}");
    assertThat(objects.status()).isEqualTo(200);
    assertThat(objects.body().has("results")).isFalse();
    JsonNode each = objects.body().get("objects");
    assertThat(each).hasSize(2);
    assertThat(each.get(0).get("key").asText()).isEqualTo("a");
    assertThat(each.get(0).get("value").asLong()).isEqualTo(2);
    assertThat(each.get(1).get("value").toString()).isEqualTo("[1]");

    HttpTestClient.Reply none =
        HTTP.post(port(0), "/v1/batch", "{\"answer\":\"none\"," + updates + "}");
    assertThat(none.status()).isEqualTo(200);
    assertThat(none.body().size()).isZero();
    assertThat(none.session()).isNotEmpty();
    assertThat(
            HTTP.get(
                    port(0),
                    "/v1/buckets/answer/keys/a",
                    Map.of("Meridian-Session", none.session()))
                .body()
                .get("value")
                .asLong())
        .isEqualTo(4);

    for (String bad : new String[] {"\"all\"", "1", "null"}) {
      HttpTestClient.Reply refused =
          HTTP.post(port(0), "/v1/batch", "{\"answer\":" + bad + "," + updates + "}");
      assertThat(refused.status()).as(bad).isEqualTo(400);
    }
    assertThat(
            HTTP.get(port(0), "/v1/buckets/answer/keys/a", Map.of()).body().get("value").asLong())
        .isEqualTo(4);
  }

  @Test
  void anOperationIdTakesEffectOnceWhereverItIsRetried() throws Exception {
    String body = "{\"type\":\"pn-counter\",\"op\":\"increment\",\"by\":10,\"id\":\"op-1\"}";
    update(0, "ids", "c", body);
    update(0, "ids", "c", body);
    awaitEverywhere("ids", "c", values -> values.stream().allMatch(v -> v.asLong() == 10));
    update(2, "ids", "c", body);
    update(1, "ids", "c", "{\"type\":\"pn-counter\",\"op\":\"increment\",\"by\":1}");
    awaitEverywhere("ids", "c", values -> values.stream().allMatch(v -> v.asLong() == 11));
  }

  @Test
  void aReaderElsewhereNeverSeesPartOfABatch() throws Exception {
    String batch =
        "{\"updates\":[{\"bucket\":\"atomic\",\"key\":\"a\",\"type\":\"g-counter\","
            + "\"op\":\"increment\"},{\"bucket\":\"atomic\",\"key\":\"b\",\"type\":\"g-counter\","
            + "\"op\":\"increment\"}]}";
    String read =
        "{\"keys\":[{\"bucket\":\"atomic\",\"key\":\"a\"},{\"bucket\":\"atomic\",\"key\":\"b\"}]}";
    Thread writer =
        new Thread(
            () -> {
              for (int i = 0; i < 100; i++) {
                assertThat(HTTP.post(port(0), "/v1/batch", batch).status()).isEqualTo(200);
              }
            });
    writer.start();
    int reads = 0;
    long last = -1;
    while (writer.isAlive() || last < 100) {
      HttpTestClient.Reply reply = HTTP.post(port(1), "/v1/read", read);
      assertThat(reply.status()).isEqualTo(200);
      JsonNode objects = reply.body().get("objects");
      long a = objects.get(0).has("value") ? objects.get(0).get("value").asLong() : 0;
      long b = objects.get(1).has("value") ? objects.get(1).get("value").asLong() : 0;
      assertThat(a).as("read %d", reads).isEqualTo(b);
      last = a;
      reads++;
      if (!writer.isAlive() && reads > 10_000) {
        break;
      }
    }
    writer.join();
    assertThat(last).isEqualTo(100);
  }

  @Test
  void aSessionReadsItsWritesAtAnotherRegionOrIsToldToRetry() {
    int served = 0;
    int unavailable = 0;
    for (int i = 0; i < 30; i++) {
      HttpTestClient.Reply write =
          HTTP.post(
              port(0),
              "/v1/buckets/ryw/keys/k" + i,
              "{\"type\":\"lww-register\",\"op\":\"assign\",\"value\":" + i + "}",
              Map.of());
      assertThat(write.status()).isEqualTo(200);
      HttpTestClient.Reply read =
          HTTP.get(
              port(1 + i % 2),
              "/v1/buckets/ryw/keys/k" + i,
              Map.of(
                  "Meridian-Session", write.session(), "Meridian-Wait", i % 3 == 0 ? "0" : "2000"));
      if (read.status() == 503) {
        assertThat(read.body().get("error").get("code").asText()).isEqualTo("session_unavailable");
        assertThat(read.retryAfter()).isNotNull();
        unavailable++;
      } else {
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.body().get("value").asInt()).isEqualTo(i);
        served++;
      }
      assertThat(read.session()).isNotNull();
    }
    assertThat(served).isPositive();
  }

  @Test
  void duringAPartitionEveryRegionWritesAndAfterHealingAllConverge() throws Exception {
    cutAll(true);
    try {
      for (int i = 0; i < 3; i++) {
        update(
            i,
            "partition",
            "set",
            "{\"type\":\"aw-set\",\"op\":\"add\",\"elements\":[\"r" + i + "\"]}");
        update(i, "partition", "count", "{\"type\":\"g-counter\",\"op\":\"increment\"}");
      }
      Thread.sleep(300);
      for (int i = 0; i < 3; i++) {
        JsonNode value = HTTP.get(port(i), "/v1/buckets/partition/keys/set").body().get("value");
        assertThat(value.size()).as("region %d sees only itself while cut off", i).isEqualTo(1);
      }
    } finally {
      cutAll(false);
    }
    awaitEverywhere("partition", "set", values -> values.stream().allMatch(v -> v.size() == 3));
    awaitEverywhere("partition", "count", values -> values.stream().allMatch(v -> v.asLong() == 3));
  }

  @Test
  void updatesFlowAroundACutLink() throws Exception {
    cut(0, 2, true);
    try {
      update(0, "around", "k", "{\"type\":\"g-counter\",\"op\":\"increment\",\"by\":7}");
      awaitEverywhere("around", "k", values -> values.stream().allMatch(v -> v.asLong() == 7));
    } finally {
      cut(0, 2, false);
    }
  }

  @Test
  void statusAndMetricsAnswer() {
    HttpTestClient.Reply status = HTTP.get(port(0), "/v1/status");
    assertThat(status.status()).isEqualTo(200);
    assertThat(status.body().get("region").asText()).isEqualTo("r1");
    assertThat(status.body().get("peers").size()).isEqualTo(2);
    assertThat(regions.get(0).scrape()).contains("meridian_updates_applied");
    assertThat(regions.get(0).startupLine())
        .matches("meridian region=r1 http=127\\.0\\.0\\.1:\\d+ replication=127\\.0\\.0\\.1:\\d+");
  }

  @Test
  void replicationFramesAreCounted() throws Exception {
    update(0, "frames", "k", "{\"type\":\"g-counter\",\"op\":\"increment\"}");
    awaitEverywhere("frames", "k", values -> values.stream().allMatch(v -> v.asLong() == 1));
    String metrics = regions.get(0).scrape();
    assertThat(sample(metrics, "meridian_frames_sent_total")).isPositive();
    assertThat(sample(metrics, "meridian_frames_entries_sent_total")).isPositive();
    assertThat(sample(metrics, "meridian_frames_bytes_sent_total"))
        .isGreaterThan(sample(metrics, "meridian_frames_sent_total"));
  }

  /** The value of the one sample of {@code name}, or -1 when the scrape has none. */
  private static double sample(String scrape, String name) {
    for (String line : scrape.split("\n")) {
      if (line.startsWith(name + "{")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return -1;
  }

  private static void cutAll(boolean blocked) {
    cut(0, 1, blocked);
    cut(1, 2, blocked);
    cut(0, 2, blocked);
  }

  private static void cut(int left, int right, boolean blocked) {
    String leftName = regions.get(left).config().region();
    String rightName = regions.get(right).config().region();
    await(regions.get(left).transport().block(rightName, blocked));
    await(regions.get(right).transport().block(leftName, blocked));
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
