package io.meridian.server;

import io.meridian.replication.ReplicationConfig;
import io.meridian.server.auth.ClientGuard;
import io.meridian.server.http.HttpApi;
import io.meridian.server.region.RegionHttpService;
import io.meridian.server.region.RegionOwner;
import io.meridian.server.region.RegionOwnerConfig;
import io.meridian.server.tls.MutualTls;
import io.meridian.server.tls.TlsDirectory;
import io.meridian.server.tls.TlsMaterial;
import io.meridian.server.transport.PeerAddress;
import io.meridian.server.transport.ReplicationTransport;
import io.meridian.server.transport.TransportConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One running region: its {@link RegionOwner} (locked data directory, update log, checkpoints, key
 * states and the replication core), its replication transport (mutual TLS; a peer is named by its
 * certificate and must be a configured region) and its HTTP API. {@link #close} stops HTTP, then
 * replication, then the owner (last checkpoint, storage closed), so a SIGTERM through the shutdown
 * hook leaves the log forced and the directory unlocked.
 *
 * <p>The regions the protocol knows are {@link RegionConfig#allRegions()}: the configured list, or
 * this one and its peers. A known region that is not a dialled peer (not a peer, or a peer at port
 * 0) dials this region, or its updates reach this one through others.
 */
public final class Region implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Region.class.getName());
  private static final long CLOSE_TIMEOUT_SECONDS_MAX = 60;

  private final RegionConfig config;
  private final PrometheusMeterRegistry registry;
  private final RegionOwner owner;
  private ReplicationTransport transport;
  private HttpServer httpServer;
  private ClientGuard guard;
  private TlsMaterial peerMaterial;
  private TlsMaterial httpMaterial;
  private volatile boolean replicationStarted;

  private Region(RegionConfig config, RegionOwner owner, PrometheusMeterRegistry registry) {
    this.config = config;
    this.owner = owner;
    this.registry = registry;
  }

  /**
   * Opens storage (recovering from the last checkpoint and the log) and starts both listeners;
   * blocks until they are bound.
   *
   * @throws Exception when storage cannot be opened (a locked directory included) or a listener
   *     cannot bind
   */
  public static Region start(Vertx vertx, RegionConfig config) throws Exception {
    return start(vertx, config, UnaryOperator.identity());
  }

  /** As {@link #start(Vertx, RegionConfig)}, with the owner's bounds and intervals adjusted. */
  public static Region start(
      Vertx vertx, RegionConfig config, UnaryOperator<RegionOwnerConfig> adjust) throws Exception {
    List<String> regions = new ArrayList<>(config.allRegions());
    // Frames leave at every Ready (batch window 0): group commit already batches, since a Ready
    // holds every update that arrived during the previous fsync, so a window of one 10 ms tick
    // only added up to 10 ms to visibility at the other regions. The simulator draws windows of
    // 0, 1 and 3 ticks.
    ReplicationConfig.Builder replicationBuilder =
        ReplicationConfig.builder(config.region(), regions).batchWindowTicks(0);
    if (eventualDeliveryForBenchmarks()) {
      replicationBuilder.eventualDeliveryForBenchmarksOnly();
    }
    ReplicationConfig replication = replicationBuilder.build();
    RegionOwnerConfig ownerConfig =
        adjust.apply(
            RegionOwnerConfig.defaults(replication, config.dataDirectory())
                .withUpdateLog(config.updateLog())
                .withOperationIdRetentionMillis(config.operationIdRetentionMillis())
                .withStateCacheBytes(config.stateCacheBytes()));
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    RegionOwner owner = RegionOwner.open(vertx, ownerConfig, registry);
    Region region = new Region(config, owner, registry);
    try {
      region.startListeners(vertx, regions, replication.frameBytesMax());
      return region;
    } catch (Exception e) {
      region.close();
      throw e;
    }
  }

  /**
   * Benchmark-only system property: {@code causal} (the default) or {@code eventual}. The geo
   * harness sets {@code eventual} on its regions to measure what causal delivery costs; it switches
   * causal delivery off ({@link ReplicationConfig#causalDelivery()}), so snapshot reads and session
   * guarantees across regions no longer hold. Deliberately not a command-line option or a
   * configuration file key; any other value refuses to start, and {@code eventual} is logged as a
   * SEVERE warning at every start.
   */
  public static final String DELIVERY_PROPERTY = "meridian.benchmark.delivery";

  /**
   * Reads {@link #DELIVERY_PROPERTY}.
   *
   * @return whether this process runs the eventual delivery mode
   * @throws IllegalArgumentException on a value other than {@code causal} or {@code eventual}
   */
  static boolean eventualDeliveryForBenchmarks() {
    String mode = System.getProperty(DELIVERY_PROPERTY, "causal");
    switch (mode) {
      case "causal":
        return false;
      case "eventual":
        LOG.severe(
            "EVENTUAL DELIVERY (-D"
                + DELIVERY_PROPERTY
                + "=eventual): causal delivery is OFF. For benchmarks only: snapshot reads and"
                + " session guarantees across regions do not hold; never run a store like this.");
        return true;
      default:
        throw new IllegalArgumentException(
            DELIVERY_PROPERTY + " must be causal or eventual (benchmarks only), got " + mode);
    }
  }

  /**
   * Starts regions of one process in order; a peer given with port 0 that was started before gets
   * its bound replication port, so later regions dial earlier ones (what {@code meridian local}
   * needs).
   */
  public static List<Region> startAll(Vertx vertx, List<RegionConfig> configs) throws Exception {
    return startAll(vertx, configs, UnaryOperator.identity());
  }

  /** As {@link #startAll(Vertx, List)}, with every owner's bounds and intervals adjusted. */
  public static List<Region> startAll(
      Vertx vertx, List<RegionConfig> configs, UnaryOperator<RegionOwnerConfig> adjust)
      throws Exception {
    List<Region> started = new ArrayList<>();
    Map<String, HostPort> bound = new HashMap<>();
    try {
      for (RegionConfig config : configs) {
        Map<String, HostPort> peers = new LinkedHashMap<>();
        config
            .peers()
            .forEach(
                (name, address) ->
                    peers.put(
                        name, address.port() == 0 ? bound.getOrDefault(name, address) : address));
        Region region = start(vertx, config.toBuilder().peers(peers).build(), adjust);
        started.add(region);
        bound.put(
            config.region(), new HostPort(config.replication().host(), region.replicationPort()));
      }
    } catch (Exception e) {
      started.forEach(Region::close);
      throw e;
    }
    return started;
  }

  private void startListeners(Vertx vertx, List<String> regions, int frameBytesMax)
      throws Exception {
    List<PeerAddress> dialled = new ArrayList<>();
    config
        .peers()
        .forEach(
            (name, address) -> {
              if (address.port() != 0) {
                dialled.add(new PeerAddress(name, address.host(), address.port()));
              }
            });
    TransportConfig.Builder transportConfig =
        TransportConfig.builder(config.region(), new TreeSet<>(regions))
            .listen(config.replication().host(), config.replication().port())
            .peers(dialled)
            .frameBytesMax(frameBytesMax);
    if (config.insecure()) {
      transportConfig.plaintext();
    } else {
      TlsDirectory material = TlsDirectory.of(config.tlsDirectory().orElseThrow(), config.region());
      transportConfig.tls(material);
      peerMaterial =
          TlsMaterial.forPeers(material, config.tls().revocationList(), registry).watch(vertx);
    }
    transport =
        await(ReplicationTransport.start(vertx, transportConfig.build(), owner, peerMaterial));
    replicationStarted = true;
    RegionHttpService service =
        new RegionHttpService(owner, () -> replicationStarted, config.httpApi());
    guard =
        ClientGuard.start(vertx, config.clientAuth(), config.httpApi().nameBytesMax(), registry);
    guard.warnIfOpen(config.region());
    HttpServerOptions httpOptions = guard.apply(new HttpServerOptions());
    if (config.tls().https()) {
      Path directory = config.tls().httpTlsDirectory().or(config::tlsDirectory).orElseThrow();
      httpMaterial =
          TlsMaterial.forHttp(TlsDirectory.of(directory, config.region()), registry).watch(vertx);
      httpOptions = MutualTls.https(httpOptions, httpMaterial);
    }
    HttpServerOptions serverOptions = httpOptions;
    // Listening from the owner's context puts every connection on the owner's event loop: the hop
    // of each request to the owner and back is then a task on the same thread.
    httpServer =
        await(
            owner.startOnOwner(
                () ->
                    vertx
                        .createHttpServer(serverOptions)
                        .connectionHandler(guard::connected)
                        .requestHandler(
                            HttpApi.router(
                                vertx,
                                service,
                                registry,
                                config.httpApi(),
                                config.watchLimits(),
                                guard))
                        .listen(config.http().port(), config.http().host())));
  }

  /**
   * The line a region prints first: {@code meridian region=NAME http=HOST:PORT
   * replication=HOST:PORT}.
   */
  public String startupLine() {
    return "meridian region="
        + config.region()
        + " http="
        + new HostPort(config.http().host(), httpServer.actualPort())
        + " replication="
        + new HostPort(config.replication().host(), transport.port());
  }

  public int httpPort() {
    return httpServer.actualPort();
  }

  public int replicationPort() {
    return transport.port();
  }

  public RegionConfig config() {
    return config;
  }

  /** The region's owner: its state, storage and protocol core. */
  public RegionOwner owner() {
    return owner;
  }

  /** The region's replication links. */
  public ReplicationTransport transport() {
    return transport;
  }

  /** The metrics in Prometheus text format. */
  public String scrape() {
    return registry.scrape();
  }

  /** Stops HTTP, then replication, then the owner (last checkpoint, storage closed). */
  @Override
  public void close() {
    closeQuietly(httpServer == null ? null : httpServer::close);
    if (guard != null) {
      guard.close();
    }
    closeQuietly(transport == null ? null : transport::close);
    for (TlsMaterial material : new TlsMaterial[] {peerMaterial, httpMaterial}) {
      if (material != null) {
        material.close();
      }
    }
    closeQuietly(owner::close);
  }

  private interface Closer {
    Future<Void> close();
  }

  private static void closeQuietly(Closer closer) {
    if (closer == null) {
      return;
    }
    try {
      await(closer.close());
    } catch (Exception e) {
      LOG.log(Level.WARNING, "region did not close cleanly", e);
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future
        .toCompletionStage()
        .toCompletableFuture()
        .get(CLOSE_TIMEOUT_SECONDS_MAX, TimeUnit.SECONDS);
  }
}
