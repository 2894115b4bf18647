package io.meridian.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.clocks.VersionVector;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A test double of the region: it records every call, answers reads with a fixed object and the
 * session advanced past region {@code a}'s first update, and fails on purpose for a few key names
 * ({@code conflict} is a type mismatch, {@code lagging} a session that cannot be served, {@code
 * held} waits until {@link #release} is called).
 */
final class FakeRegionService implements RegionService {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

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
      RequestContext context, String bucket, String key, ObjectNode body) {
    JsonNode type = body.get("type");
    calls.add("updateKey " + bucket + "/" + key + " " + (type == null ? null : type.asText()));
    contexts.add(context);
    if (type == null || !type.isTextual()) {
      return Future.failedFuture(ApiException.badRequest("type must be a string"));
    }
    return answer(context, key, object(bucket, key));
  }

  @Override
  public Future<RegionResponse> batch(RequestContext context, ObjectNode body) {
    calls.add("batch");
    contexts.add(context);
    if (body.get("updates") == null || body.get("updates").isNull()) {
      return Future.failedFuture(
          ApiException.inBatch(ErrorCode.BAD_REQUEST, "updates is missing", 0));
    }
    return Future.succeededFuture(new RegionResponse(results("results"), context.session()));
  }

  @Override
  public Future<RegionResponse> read(RequestContext context, ObjectNode body) {
    calls.add("read");
    contexts.add(context);
    return Future.succeededFuture(new RegionResponse(results("objects"), context.session()));
  }

  @Override
  public Future<JsonNode> status() {
    calls.add("status");
    return Future.succeededFuture(NODES.objectNode().put("region", "a"));
  }

  @Override
  public boolean ready() {
    return ready;
  }

  void release() {
    for (Promise<RegionResponse> promise : held) {
      promise.tryComplete(
          new RegionResponse(
              NODES.objectNode().put("released", true),
              io.meridian.server.session.SessionToken.empty()));
    }
  }

  private Future<RegionResponse> answer(RequestContext context, String key, ObjectNode object) {
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

  private static ObjectNode results(String field) {
    ObjectNode body = NODES.objectNode();
    body.putArray(field);
    return body;
  }

  private static ObjectNode object(String bucket, String key) {
    return NODES
        .objectNode()
        .put("bucket", bucket)
        .put("key", key)
        .put("type", "g-counter")
        .put("value", 0)
        .put("context", "");
  }
}
