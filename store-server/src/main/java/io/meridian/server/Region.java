package io.meridian.server;

import io.meridian.server.http.HttpApi;
import io.meridian.server.http.RegionService;
import io.meridian.server.storage.CheckpointStore;
import io.meridian.server.storage.DataDirectory;
import io.meridian.server.storage.UpdateLog;
import io.meridian.server.tls.MutualTls;
import io.meridian.server.tls.PeerIdentity;
import io.meridian.server.tls.PeerRejectedException;
import io.meridian.server.tls.TlsDirectory;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One running region: its locked data directory, update log and checkpoint store, its replication
 * listener (mutual TLS; a peer is named by its certificate and must be a configured region) and its
 * HTTP API. {@link #close} stops the listeners and then closes storage, so a SIGTERM through the
 * shutdown hook leaves the log forced and the directory unlocked.
 *
 * <p>Connections from authenticated peers are handed to the replication transport; until the
 * replication integration lands they are closed after authentication, and the data endpoints are
 * served by a {@link RegionService} that says it is not integrated yet.
 */
public final class Region implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Region.class.getName());
  private static final long CLOSE_TIMEOUT_SECONDS_MAX = 30;

  private final RegionConfig config;
  private final DataDirectory directory;
  private final UpdateLog log;
  private final CheckpointStore checkpoints;
  private final PrometheusMeterRegistry registry;
  private NetServer replicationServer;
  private HttpServer httpServer;
  private volatile boolean replicationStarted;

  private Region(RegionConfig config) {
    this.config = config;
    this.directory = DataDirectory.open(config.dataDirectory());
    UpdateLog openedLog = null;
    try {
      openedLog = UpdateLog.open(directory.logDirectory(), config.updateLog());
      this.checkpoints = CheckpointStore.open(directory.checkpointFile());
    } catch (RuntimeException e) {
      if (openedLog != null) {
        openedLog.close();
      }
      directory.close();
      throw e;
    }
    this.log = openedLog;
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Gauge.builder("meridian.log.queued.appends", log, UpdateLog::queuedAppends)
        .description("appends waiting for the update log writer")
        .register(registry);
    FunctionCounter.builder("meridian.log.fsyncs", log, UpdateLog::fsyncCount)
        .description("fsyncs of the update log")
        .register(registry);
    FunctionCounter.builder("meridian.log.appends", log, UpdateLog::appendCount)
        .description("records appended to the update log")
        .register(registry);
  }

  /**
   * Opens storage and starts both listeners; blocks until they are bound.
   *
   * @throws Exception when storage cannot be opened (a locked directory included) or a listener
   *     cannot bind
   */
  public static Region start(Vertx vertx, RegionConfig config) throws Exception {
    Region region = new Region(config);
    try {
      region.startListeners(vertx);
      return region;
    } catch (Exception e) {
      region.close();
      throw e;
    }
  }

  private void startListeners(Vertx vertx) throws Exception {
    NetServerOptions options =
        config.insecure()
            ? new NetServerOptions()
            : MutualTls.serverOptions(
                TlsDirectory.of(config.tlsDirectory().orElseThrow(), config.region()));
    Set<String> peerNames = config.peers().keySet();
    replicationServer =
        vertx
            .createNetServer(options)
            .connectHandler(socket -> acceptPeer(socket, peerNames))
            .listen(config.replication().port(), config.replication().host())
            .toCompletionStage()
            .toCompletableFuture()
            .get(CLOSE_TIMEOUT_SECONDS_MAX, TimeUnit.SECONDS);
    replicationStarted = true;
    RegionService service =
        new PendingIntegrationRegionService(
            config.region(), config.peers(), log, () -> replicationStarted);
    httpServer =
        vertx
            .createHttpServer()
            .requestHandler(HttpApi.router(vertx, service, registry, config.httpApi()))
            .listen(config.http().port(), config.http().host())
            .toCompletionStage()
            .toCompletableFuture()
            .get(CLOSE_TIMEOUT_SECONDS_MAX, TimeUnit.SECONDS);
  }

  private void acceptPeer(NetSocket socket, Set<String> peerNames) {
    if (config.insecure()) {
      LOG.warning(
          () ->
              "insecure replication connection from "
                  + socket.remoteAddress()
                  + " closed: the replication transport is not integrated yet");
      socket.close();
      return;
    }
    try {
      String peer = PeerIdentity.authenticate(socket, peerNames);
      LOG.info(
          () ->
              "peer "
                  + peer
                  + " authenticated; closed: the replication transport is not integrated yet");
    } catch (PeerRejectedException e) {
      LOG.log(Level.WARNING, "replication connection rejected: " + e.getMessage());
    }
    socket.close();
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
        + new HostPort(config.replication().host(), replicationServer.actualPort());
  }

  public int httpPort() {
    return httpServer.actualPort();
  }

  public int replicationPort() {
    return replicationServer.actualPort();
  }

  public RegionConfig config() {
    return config;
  }

  /** Stops the listeners, then closes the log (forcing what is queued), checkpoints and lock. */
  @Override
  public void close() {
    closeQuietly(httpServer == null ? null : () -> httpServer.close());
    closeQuietly(replicationServer == null ? null : () -> replicationServer.close());
    log.close();
    checkpoints.close();
    directory.close();
  }

  private interface Closer {
    io.vertx.core.Future<Void> close();
  }

  private static void closeQuietly(Closer closer) {
    if (closer == null) {
      return;
    }
    try {
      closer
          .close()
          .toCompletionStage()
          .toCompletableFuture()
          .get(CLOSE_TIMEOUT_SECONDS_MAX, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.log(Level.WARNING, "listener did not close cleanly", e);
    }
  }
}
