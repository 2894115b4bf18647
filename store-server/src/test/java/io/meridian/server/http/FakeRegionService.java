package io.meridian.server.http;

import io.meridian.clocks.VersionVector;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A test double of the region: it records every call, answers reads with a fixed object and the
 * session advanced past region {@code a}'s first update, and fails on purpose for a few key names
 * ({@code conflict} is a type mismatch, {@code lagging} a session that cannot be served, {@code
 * held} waits until {@link #release} is called).
 */
final class FakeRegionService implements RegionService {
  final List<String> calls = new CopyOnWriteArrayList<>();
  final List<RequestContext> contexts = new CopyOnWriteArrayList<>();
  volatile boolean ready = true;
  private final List<Promise<RegionResponse>> held = new CopyOnWriteArrayList<>();

  @Override
  public Future<RegionResponse> readKey(RequestContext context, String bucket, String key) {
    calls.add("readKey " + bucket + "/" + key);
    contexts.add(context);
    return answer(context, key, object(bucket, key));
  }

  @Override
  public Future<RegionResponse> updateKey(
      RequestContext context, String bucket, String key, JsonObject body) {
    calls.add("updateKey " + bucket + "/" + key + " " + body.getString("type"));
    contexts.add(context);
    if (!(body.getValue("type") instanceof String)) {
      return Future.failedFuture(ApiException.badRequest("type must be a string"));
    }
    return answer(context, key, object(bucket, key));
  }

  @Override
  public Future<RegionResponse> batch(RequestContext context, JsonObject body) {
    calls.add("batch");
    contexts.add(context);
    if (body.getValue("updates") == null) {
      return Future.failedFuture(
          ApiException.inBatch(ErrorCode.BAD_REQUEST, "updates is missing", 0));
    }
    return Future.succeededFuture(
        new RegionResponse(new JsonObject().put("results", List.of()), context.session()));
  }

  @Override
  public Future<RegionResponse> read(RequestContext context, JsonObject body) {
    calls.add("read");
    contexts.add(context);
    return Future.succeededFuture(
        new RegionResponse(new JsonObject().put("objects", List.of()), context.session()));
  }

  @Override
  public Future<JsonObject> status() {
    calls.add("status");
    return Future.succeededFuture(new JsonObject().put("region", "a"));
  }

  @Override
  public boolean ready() {
    return ready;
  }

  void release() {
    for (Promise<RegionResponse> promise : held) {
      promise.tryComplete(
          new RegionResponse(
              new JsonObject().put("released", true),
              io.meridian.server.session.SessionToken.empty()));
    }
  }

  private Future<RegionResponse> answer(RequestContext context, String key, JsonObject object) {
    switch (key) {
      case "conflict":
        return Future.failedFuture(
            ApiException.of(ErrorCode.TYPE_MISMATCH, "the key holds a g-counter"));
      case "lagging":
        return Future.failedFuture(
            ApiException.unavailable(
                ErrorCode.SESSION_UNAVAILABLE, "the region has not applied the session yet", 2));
      case "held":
        Promise<RegionResponse> promise = Promise.promise();
        held.add(promise);
        return promise.future();
      default:
        return Future.succeededFuture(
            new RegionResponse(object, context.session().afterRead(VersionVector.of("a", 1))));
    }
  }

  private static JsonObject object(String bucket, String key) {
    return new JsonObject()
        .put("bucket", bucket)
        .put("key", key)
        .put("type", "g-counter")
        .put("value", 0)
        .put("context", "");
  }
}
