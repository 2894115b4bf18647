package io.meridian.sdk.example;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.sdk.Codec;
import io.meridian.sdk.Meridian;
import io.meridian.server.Region;
import io.meridian.server.RegionConfig;
import io.vertx.core.Vertx;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's example runs: offline first, then with a region started on the port it names. */
class ShoppingListTest {
  @TempDir Path data;
  @TempDir Path device;

  @Test
  void theListWorksOfflineAndReachesTheRegionOnceItIsUp() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    Map<String, String> regions = new LinkedHashMap<>();
    regions.put("r1", "http://127.0.0.1:" + port);
    try (ShoppingList list = new ShoppingList("family", regions, device)) {
      list.add("milk");
      list.add("bread");
      list.bought("milk");
      assertThat(list.items()).containsExactly("bread");
      assertThat(list.everAdded()).isEqualTo(2);
      assertThat(list.status().pendingUpdates()).isEqualTo(3);
    }
    Vertx vertx = Vertx.vertx();
    try {
      List<Region> started =
          Region.startAll(
              vertx,
              RegionConfig.localMesh(List.of("r1"), data, port, region -> region.insecure(true)));
      try (ShoppingList list = new ShoppingList("family", regions, device)) {
        assertThat(list.sync(Duration.ofSeconds(30))).isTrue();
        assertThat(list.status().pendingUpdates()).isZero();
      }
      try (Meridian other = Meridian.builder().region("r1", regions.get("r1")).build()) {
        assertThat(other.addWinsSet("shopping", "family", Codec.strings()).elements())
            .containsExactly("bread");
        assertThat(other.counter("shopping", "family-added").value()).isEqualTo(2);
      } finally {
        started.forEach(Region::close);
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().join();
    }
  }
}
