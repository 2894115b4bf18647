package io.meridian.server;

import io.meridian.server.http.ApiException;
import io.meridian.server.http.ErrorCode;
import io.meridian.server.http.RegionResponse;
import io.meridian.server.http.RegionService;
import io.meridian.server.http.RequestContext;
import io.meridian.server.storage.UpdateLog;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The {@link RegionService} of a region whose CRDT and replication engine is not wired in yet:
 * status and readiness are real, and every data endpoint answers {@code 503 overloaded} with a
 * message saying why, so that no client mistakes it for a working store. The integration replaces
 * it with the service that drives the replication state machine.
 */
final class PendingIntegrationRegionService implements RegionService {
  private static final String NOT_SERVED =
      "this build serves no data yet: the CRDT and replication engine is not integrated";

  private final String region;
  private final Map<String, HostPort> peers;
  private final UpdateLog log;
  private final BooleanSupplier ready;

  PendingIntegrationRegionService(
      String region, Map<String, HostPort> peers, UpdateLog log, BooleanSupplier ready) {
    this.region = region;
    this.peers = peers;
    this.log = log;
    this.ready = ready;
  }

  private static <T> Future<T> notServed() {
    return Future.failedFuture(
        ApiException.unavailable(
            ErrorCode.OVERLOADED, NOT_SERVED, ApiException.RETRY_AFTER_SECONDS_DEFAULT));
  }

  @Override
  public Future<RegionResponse> readKey(RequestContext context, String bucket, String key) {
    return notServed();
  }

  @Override
  public Future<RegionResponse> updateKey(
      RequestContext context, String bucket, String key, JsonObject body) {
    return notServed();
  }

  @Override
  public Future<RegionResponse> batch(RequestContext context, JsonObject body) {
    return notServed();
  }

  @Override
  public Future<RegionResponse> read(RequestContext context, JsonObject body) {
    return notServed();
  }

  @Override
  public Future<JsonObject> status() {
    JsonArray peerStatus = new JsonArray();
    peers
        .keySet()
        .forEach(
            name -> peerStatus.add(new JsonObject().put("name", name).put("connected", false)));
    return Future.succeededFuture(
        new JsonObject()
            .put("region", region)
            .put("applied", new JsonObject())
            .put("logLength", log.lastIndex() - log.firstIndex() + 1)
            .put("peers", peerStatus));
  }

  @Override
  public boolean ready() {
    return ready.getAsBoolean();
  }
}
