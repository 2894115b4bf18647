package io.meridian.server.region;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.server.HostPort;
import io.meridian.server.Region;
import io.meridian.server.RegionConfig;
import io.meridian.server.tls.DevelopmentCertificates;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regions in a line, {@code r1 - r2 - r3}: r1 and r3 know each other only by name ({@link
 * RegionConfig#regions()}), never by address, so their updates reach each other only through r2's
 * forwarding (L1 without a full mesh), with mutual TLS on every hop.
 */
class PartialMeshTest {
  private static final HttpTestClient HTTP = new HttpTestClient();

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

  private Region start(String name, Map<String, HostPort> peers) throws Exception {
    Region region =
        Region.start(
            vertx,
            RegionConfig.builder(name, data.resolve(name))
                .peers(peers)
                .tlsDirectory(data.resolve("tls"))
                .regions(Set.of("r1", "r2", "r3"))
                .build());
    regions.add(region);
    return region;
  }

  @Test
  void theEndsOfALineExchangeUpdatesThroughTheMiddle() throws Exception {
    vertx = Vertx.vertx();
    DevelopmentCertificates.generate(data.resolve("tls"), List.of("r1", "r2", "r3"));
    Region middle = start("r2", Map.of());
    HostPort middleAddress = new HostPort("127.0.0.1", middle.replicationPort());
    Region left = start("r1", Map.of("r2", middleAddress));
    Region right = start("r3", Map.of("r2", middleAddress));
    assertThat(left.config().peers()).doesNotContainKey("r3");

    post(left, "{\"type\":\"aw-set\",\"op\":\"add\",\"elements\":[\"from-r1\"]}");
    post(right, "{\"type\":\"aw-set\",\"op\":\"add\",\"elements\":[\"from-r3\"]}");
    for (Region region : List.of(left, middle, right)) {
      awaitSet(region, "[\"from-r1\",\"from-r3\"]");
    }
    // Each end counts the other as a region it has applied entries of.
    assertThat(HTTP.get(left.httpPort(), "/v1/status").body().get("applied").get("r3").asLong())
        .isEqualTo(1);
  }

  private static void post(Region region, String body) {
    HttpTestClient.Reply reply = HTTP.post(region.httpPort(), "/v1/buckets/line/keys/set", body);
    assertThat(reply.status()).as("%s", reply.body()).isEqualTo(200);
  }

  private static void awaitSet(Region region, String expected) throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    String seen = null;
    while (System.nanoTime() < deadline) {
      HttpTestClient.Reply reply = HTTP.get(region.httpPort(), "/v1/buckets/line/keys/set");
      seen = reply.status() == 200 ? reply.body().get("value").toString() : null;
      if (expected.equals(seen)) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError(region.config().region() + " shows " + seen + ", not " + expected);
  }
}
