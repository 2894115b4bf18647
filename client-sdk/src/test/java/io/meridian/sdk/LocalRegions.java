package io.meridian.sdk;

import io.meridian.server.HostPort;
import io.meridian.server.Region;
import io.meridian.server.RegionConfig;
import io.meridian.server.region.RegionOwnerConfig;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Three real regions in this JVM on 127.0.0.1 (replication without TLS, ports picked by the
 * system), which a test can stop and start again on the same ports: an outage as a client sees it.
 */
final class LocalRegions implements AutoCloseable {
  static final List<String> NAMES = List.of("r1", "r2", "r3");

  private final Vertx vertx = Vertx.vertx();
  private final List<RegionConfig> configs = new ArrayList<>();
  private final List<Region> regions = new ArrayList<>();
  private final UnaryOperator<RegionOwnerConfig> adjust;

  /**
   * Starts the regions with operation ids kept {@code operationIdRetentionMillis} and every owner's
   * bounds and intervals changed by {@code adjust} (also when a region starts again).
   */
  LocalRegions(Path data, long operationIdRetentionMillis, UnaryOperator<RegionOwnerConfig> adjust)
      throws Exception {
    this.adjust = adjust;
    List<Region> started =
        Region.startAll(
            vertx,
            RegionConfig.localMesh(
                NAMES,
                data,
                0,
                region ->
                    region.insecure(true).operationIdRetentionMillis(operationIdRetentionMillis)),
            adjust);
    for (Region region : started) {
      RegionConfig config = region.config();
      configs.add(
          config.toBuilder()
              .http(new HostPort(config.http().host(), region.httpPort()))
              .replication(new HostPort(config.replication().host(), region.replicationPort()))
              .build());
      regions.add(region);
    }
  }

  LocalRegions(Path data, long operationIdRetentionMillis) throws Exception {
    this(data, operationIdRetentionMillis, UnaryOperator.identity());
  }

  LocalRegions(Path data) throws Exception {
    this(data, RegionConfig.OPERATION_ID_RETENTION_MILLIS_DEFAULT);
  }

  String url(int index) {
    return "http://127.0.0.1:" + configs.get(index).http().port();
  }

  int size() {
    return configs.size();
  }

  /** A builder with the three regions, r1 home, short pauses so tests move on quickly. */
  Meridian.Builder builder() {
    Meridian.Builder builder = Meridian.builder();
    for (int i = 0; i < NAMES.size(); i++) {
      builder.region(NAMES.get(i), url(i));
    }
    return builder
        .requestTimeout(java.time.Duration.ofSeconds(10))
        .backoff(java.time.Duration.ofMillis(20), java.time.Duration.ofMillis(500))
        .visibilityPoll(java.time.Duration.ofMillis(50));
  }

  /** A forwarding proxy in front of each region, in order; the caller closes them. */
  List<FaultProxy> proxies() throws java.io.IOException {
    List<FaultProxy> proxies = new ArrayList<>();
    for (int i = 0; i < size(); i++) {
      proxies.add(new FaultProxy(url(i)));
    }
    return proxies;
  }

  /** A builder with the regions reached through {@code proxies}, r1 home, short pauses. */
  static Meridian.Builder builderThrough(List<FaultProxy> proxies) {
    Meridian.Builder builder = Meridian.builder();
    for (int i = 0; i < proxies.size(); i++) {
      builder.region(NAMES.get(i), proxies.get(i).url());
    }
    return builder
        .requestTimeout(java.time.Duration.ofSeconds(10))
        .backoff(java.time.Duration.ofMillis(20), java.time.Duration.ofMillis(300))
        .visibilityPoll(java.time.Duration.ofMillis(50));
  }

  boolean running(int index) {
    return regions.get(index) != null;
  }

  /** Stops a region: its HTTP and replication listeners close, its storage is closed cleanly. */
  void stop(int index) {
    Region region = regions.set(index, null);
    if (region != null) {
      region.close();
    }
  }

  /** Starts a stopped region again on its ports, from its data directory. */
  void start(int index) throws Exception {
    if (regions.get(index) == null) {
      regions.set(index, Region.start(vertx, configs.get(index), adjust));
    }
  }

  @Override
  public void close() {
    for (int i = 0; i < regions.size(); i++) {
      stop(i);
    }
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }
}
