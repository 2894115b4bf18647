package io.meridian.server.region;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.server.HostPort;
import io.meridian.server.Region;
import io.meridian.server.RegionConfig;
import io.meridian.server.http.HttpApiConfig;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A region started with tight request limits (names of 8 bytes, 3 items per batch or read, 5
 * elements per update, updates nested 2 levels deep, tokens of 300 characters) refuses every
 * request over a limit with the documented error, accepts one exactly at it, and a refused request
 * changes nothing.
 */
class RequestLimitsTest {
  private static final HttpTestClient HTTP = new HttpTestClient();
  @TempDir static Path data;
  private static Vertx vertx;
  private static Region region;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    region =
        Region.start(
            vertx,
            RegionConfig.builder("r1", data.resolve("r1"))
                .peers(Map.of("r2", new HostPort("127.0.0.1", 0)))
                .insecure(true)
                .httpApi(new HttpApiConfig(1L << 20, 100, 8, 3, 5, 2, 300))
                .build());
  }

  @AfterAll
  static void stop() {
    if (region != null) {
      region.close();
    }
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  private static HttpTestClient.Reply post(String path, String body) {
    return HTTP.post(region.httpPort(), path, body);
  }

  private static void assertRefused(HttpTestClient.Reply reply, int status, String code) {
    assertThat(reply.status()).as("%s", reply.body()).isEqualTo(status);
    assertThat(reply.body().get("error").get("code").asText()).isEqualTo(code);
  }

  @Test
  void namesLongerThanTheLimitAreBadRequests() {
    assertRefused(
        post("/v1/buckets/b/keys/123456789", "{\"type\":\"g-counter\",\"op\":\"increment\"}"),
        400,
        "bad_request");
    HttpTestClient.Reply batch =
        post(
            "/v1/batch",
            "{\"updates\":[{\"bucket\":\"b\",\"key\":\"ok\",\"type\":\"g-counter\",\"op\":\"increment\"},"
                + "{\"bucket\":\"b\",\"key\":\"123456789\",\"type\":\"g-counter\",\"op\":\"increment\"}]}");
    assertRefused(batch, 400, "bad_request");
    assertThat(batch.body().get("error").get("index").asInt()).isEqualTo(1);
    assertThat(HTTP.get(region.httpPort(), "/v1/buckets/b/keys/ok").status()).isEqualTo(404);
    assertThat(
            post("/v1/buckets/b/keys/12345678", "{\"type\":\"g-counter\",\"op\":\"increment\"}")
                .status())
        .isEqualTo(200);
  }

  @Test
  void batchesAndReadsOverTheItemLimitAreBadRequests() {
    String update =
        "{\"bucket\":\"items\",\"key\":\"k\",\"type\":\"g-counter\",\"op\":\"increment\"}";
    assertRefused(
        post(
            "/v1/batch",
            "{\"updates\":[" + String.join(",", update, update, update, update) + "]}"),
        400,
        "bad_request");
    assertThat(HTTP.get(region.httpPort(), "/v1/buckets/items/keys/k").status()).isEqualTo(404);
    String key = "{\"bucket\":\"items\",\"key\":\"k\"}";
    assertRefused(
        post("/v1/read", "{\"keys\":[" + String.join(",", key, key, key, key) + "]}"),
        400,
        "bad_request");
    assertThat(
            post("/v1/batch", "{\"updates\":[" + String.join(",", update, update, update) + "]}")
                .status())
        .isEqualTo(200);
    HttpTestClient.Reply read =
        post("/v1/read", "{\"keys\":[" + String.join(",", key, key, key) + "]}");
    assertThat(read.status()).isEqualTo(200);
    assertThat(read.body().get("objects").get(0).get("value").asLong()).isEqualTo(3);
  }

  @Test
  void updatesCarryingTooManyElementsAreTooLarge() {
    assertRefused(
        post(
            "/v1/buckets/elements/keys/set",
            "{\"type\":\"aw-set\",\"op\":\"add\",\"elements\":[1,2,3,4,5,6]}"),
        413,
        "too_large");
    assertRefused(
        post(
            "/v1/buckets/elements/keys/list",
            "{\"type\":\"list\",\"op\":\"insert\",\"index\":0,\"values\":[1,2,3,4,5,6]}"),
        413,
        "too_large");
    // Two entries, each adding two elements: 2 + 4 = 6 over the whole tree.
    assertRefused(
        post(
            "/v1/buckets/elements/keys/map",
            "{\"type\":\"or-map\",\"op\":\"update\",\"entries\":{"
                + "\"a\":{\"type\":\"aw-set\",\"op\":\"add\",\"elements\":[1,2]},"
                + "\"b\":{\"type\":\"aw-set\",\"op\":\"add\",\"elements\":[3,4]}}}"),
        413,
        "too_large");
    for (String key : new String[] {"set", "list", "map"}) {
      assertThat(HTTP.get(region.httpPort(), "/v1/buckets/elements/keys/" + key).status())
          .isEqualTo(404);
    }
    HttpTestClient.Reply atTheLimit =
        post(
            "/v1/buckets/elements/keys/set",
            "{\"type\":\"aw-set\",\"op\":\"add\",\"elements\":[1,2,3,4,5]}");
    assertThat(atTheLimit.status()).isEqualTo(200);
    assertThat(atTheLimit.body().get("value").size()).isEqualTo(5);
  }

  @Test
  void updatesNestedDeeperThanTheLimitAreBadRequests() {
    // Levels of updates, the top one included: a map whose field is a counter is 2 levels.
    String counter = "{\"type\":\"g-counter\",\"op\":\"increment\"}";
    String twoLevels =
        "{\"type\":\"or-map\",\"op\":\"update\",\"entries\":{\"y\":" + counter + "}}";
    String threeLevels =
        "{\"type\":\"or-map\",\"op\":\"update\",\"entries\":{\"x\":" + twoLevels + "}}";
    assertRefused(post("/v1/buckets/nesting/keys/m", threeLevels), 400, "bad_request");
    assertThat(HTTP.get(region.httpPort(), "/v1/buckets/nesting/keys/m").status()).isEqualTo(404);
    assertThat(post("/v1/buckets/nesting/keys/m", twoLevels).status()).isEqualTo(200);
  }

  @Test
  void sessionTokensLongerThanTheLimitAreBadRequests() {
    HttpTestClient.Reply reply =
        HTTP.get(
            region.httpPort(),
            "/v1/buckets/tokens/keys/k",
            Map.of("Meridian-Session", "A".repeat(301)));
    assertRefused(reply, 400, "bad_request");
    assertThat(reply.body().get("error").get("message").asText()).contains("300");
  }
}
