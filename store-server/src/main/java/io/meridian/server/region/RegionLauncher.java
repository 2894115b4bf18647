package io.meridian.server.region;

import io.meridian.replication.ReplicationConfig;
import io.meridian.server.tls.DevelopmentCertificates;
import io.meridian.server.tls.TlsDirectory;
import io.meridian.server.transport.PeerAddress;
import io.meridian.server.transport.ReplicationTransport;
import io.meridian.server.transport.TransportConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * Starts real regions: storage, the region owner, the replication transport and the HTTP endpoints,
 * in that order, and stops them in the reverse order. What {@code meridian server} and {@code
 * meridian local} call. Blocking: call it from a thread that is not an event loop.
 */
public final class RegionLauncher {
  /** Frames waiting for one peer's socket, at most. */
  public static final int SEND_QUEUE_FRAMES_MAX = 4_096;

  private RegionLauncher() {}

  /** A started region and how to reach and stop it. */
  public static final class RunningRegion implements AutoCloseable {
    private final Region region;
    private final ReplicationTransport transport;
    private final HttpServer http;
    private final String httpHost;
    private final String replicationHost;
    private final PrometheusMeterRegistry registry;

    RunningRegion(
        Region region,
        ReplicationTransport transport,
        HttpServer http,
        String httpHost,
        String replicationHost,
        PrometheusMeterRegistry registry) {
      this.region = region;
      this.transport = transport;
      this.http = http;
      this.httpHost = httpHost;
      this.replicationHost = replicationHost;
      this.registry = registry;
    }

    public Region region() {
      return region;
    }

    public ReplicationTransport transport() {
      return transport;
    }

    public int httpPort() {
      return http.actualPort();
    }

    public int replicationPort() {
      return transport.port();
    }

    /** The metrics in Prometheus text format. */
    public String scrape() {
      return registry.scrape();
    }

    /** The first line {@code meridian server} prints, exactly as the API states it. */
    public String startLine() {
      return "meridian region="
          + region.name()
          + " http="
          + httpHost
          + ":"
          + httpPort()
          + " replication="
          + replicationHost
          + ":"
          + replicationPort();
    }

    /** Stops HTTP, then replication, then the region (last checkpoint, storage closed). */
    @Override
    public void close() {
      await(http.close().transform(v -> transport.close()).transform(v -> region.close()));
    }
  }

  /** Starts one region as {@code config} says. */
  public static RunningRegion start(Vertx vertx, LaunchConfig config) {
    return start(vertx, config, UnaryOperator.identity());
  }

  /** As {@link #start(Vertx, LaunchConfig)}, with the region's settings adjusted (tests). */
  public static RunningRegion start(
      Vertx vertx, LaunchConfig config, UnaryOperator<RegionConfig> adjust) {
    ReplicationConfig replication =
        ReplicationConfig.builder(config.region(), config.regions()).build();
    RegionConfig regionConfig =
        adjust.apply(RegionConfig.defaults(replication, config.dataDirectory()));
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Region region = Region.open(vertx, regionConfig, registry);
    ReplicationTransport transport = null;
    try {
      TransportConfig transportConfig =
          new TransportConfig(
              config.region(),
              new HashSet<>(config.regions()),
              config.replicationHost(),
              config.replicationPort(),
              config.peers(),
              config.insecure() ? null : TlsDirectory.of(config.tlsDirectory(), config.region()),
              regionConfig.replication().frameBytesMax(),
              SEND_QUEUE_FRAMES_MAX,
              50,
              5_000);
      transport = await(ReplicationTransport.start(vertx, transportConfig, region));
      RegionEndpoints endpoints = new RegionEndpoints(region, registry::scrape);
      HttpServer http = await(endpoints.listen(vertx, config.httpHost(), config.httpPort()));
      return new RunningRegion(
          region, transport, http, config.httpHost(), config.replicationHost(), registry);
    } catch (RuntimeException e) {
      if (transport != null) {
        await(transport.close());
      }
      await(region.close());
      throw e;
    }
  }

  /**
   * {@code meridian local}: {@code count} regions named {@code r1..rN} in this process, HTTP on
   * {@code httpBasePort}, {@code httpBasePort + 1}, ... (0: free ports), replication on free ports,
   * each dialling every other, data under {@code dataDirectory/NAME} and TLS material generated
   * under {@code dataDirectory/tls} when missing.
   */
  public static List<RunningRegion> startLocal(
      Vertx vertx, int count, Path dataDirectory, String host, int httpBasePort, boolean insecure)
      throws IOException {
    List<String> names = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      names.add("r" + i);
    }
    Path tls = dataDirectory.resolve("tls");
    if (!insecure) {
      DevelopmentCertificates.generate(tls, names);
    }
    // Bind every replication listener first (port 0), then dial the ports they got.
    List<RunningRegion> running = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        List<PeerAddress> peers = new ArrayList<>();
        for (int j = 0; j < i; j++) {
          peers.add(new PeerAddress(names.get(j), host, running.get(j).replicationPort()));
        }
        LaunchConfig config =
            new LaunchConfig(
                names.get(i),
                names,
                host,
                httpBasePort == 0 ? 0 : httpBasePort + i,
                host,
                0,
                peers,
                dataDirectory.resolve(names.get(i)),
                insecure ? null : tls,
                insecure);
        running.add(start(vertx, config));
      }
    } catch (RuntimeException e) {
      running.forEach(RunningRegion::close);
      throw e;
    }
    return running;
  }

  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("region start or stop failed: " + e, e);
    }
  }
}
