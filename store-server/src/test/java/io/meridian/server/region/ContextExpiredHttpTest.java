package io.meridian.server.region;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.crdt.CrdtRegistry;
import io.meridian.server.Region;
import io.meridian.server.RegionConfig;
import io.meridian.server.tls.DevelopmentCertificates;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real region, through HTTP, with a context expiry T of 1 ms: an or-map field remove whose
 * context missed an increment of the field made more than T before it is {@code 409
 * context_expired} and changes nothing; the same remove with a fresh read's context is applied.
 */
class ContextExpiredHttpTest {
  private static final String PATH = "/v1/buckets/expiry/keys/m";
  private static Vertx vertx;
  private static List<Region> regions;
  @TempDir static Path data;
  private static final HttpTestClient HTTP = new HttpTestClient();

  @BeforeAll
  static void start() throws Exception {
    CrdtRegistry.configureContextExpiryMillis(1);
    vertx = Vertx.vertx();
    List<String> names = List.of("r1");
    DevelopmentCertificates.generate(data.resolve("tls"), names);
    regions = Region.startAll(vertx, RegionConfig.localMesh(names, data, 0, region -> region));
  }

  @AfterAll
  static void stop() {
    if (regions != null) {
      regions.forEach(Region::close);
    }
    vertx.close().toCompletionStage().toCompletableFuture().join();
    CrdtRegistry.configureContextExpiryMillis(CrdtRegistry.CONTEXT_EXPIRY_MILLIS_DEFAULT);
  }

  private static HttpTestClient.Reply post(String body) {
    return HTTP.post(regions.get(0).httpPort(), PATH, body);
  }

  private static String increment(long by) {
    return "{\"type\":\"or-map\",\"op\":\"update\",\"entries\":{\"x\":"
        + "{\"type\":\"pn-counter\",\"op\":\"increment\",\"by\":"
        + by
        + "}}}";
  }

  private static String remove(String context) {
    return "{\"type\":\"or-map\",\"op\":\"remove\",\"fields\":[\"x\"],\"context\":\""
        + context
        + "\"}";
  }

  @Test
  void aRemoveWithAnExpiredContextIs409ContextExpiredAndChangesNothing() throws Exception {
    HttpTestClient.Reply first = post(increment(1));
    assertThat(first.status()).isEqualTo(200);
    String early = first.body().get("context").asText();
    assertThat(post(increment(2)).status()).isEqualTo(200);
    // Lets the HLC pass T (1 ms) beyond the second increment, which the early read missed.
    Thread.sleep(20);

    HttpTestClient.Reply expired = post(remove(early));
    assertThat(expired.status()).as("%s", expired.body()).isEqualTo(409);
    assertThat(expired.body().get("error").get("code").asText()).isEqualTo("context_expired");
    HttpTestClient.Reply after = HTTP.get(regions.get(0).httpPort(), PATH);
    assertThat(after.body().get("value").get("x").asLong()).isEqualTo(3);

    HttpTestClient.Reply fresh = post(remove(after.body().get("context").asText()));
    assertThat(fresh.status()).as("%s", fresh.body()).isEqualTo(200);
    assertThat(fresh.body().get("value").has("x")).isFalse();
  }
}
