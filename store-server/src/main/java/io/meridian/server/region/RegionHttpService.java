package io.meridian.server.region;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.clocks.CausalContext;
import io.meridian.clocks.VersionVector;
import io.meridian.crdt.ClientSequence;
import io.meridian.crdt.CrdtRegistry;
import io.meridian.crdt.CrdtRequestException;
import io.meridian.crdt.Operation;
import io.meridian.server.http.ApiException;
import io.meridian.server.http.ErrorCode;
import io.meridian.server.http.HttpApiConfig;
import io.meridian.server.http.ObjectNames;
import io.meridian.server.http.RegionResponse;
import io.meridian.server.http.RegionService;
import io.meridian.server.http.RequestContext;
import io.meridian.server.session.Guarantee;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@link RegionService} of a running region: parses and checks bodies on the HTTP event loop,
 * hands the typed requests to the {@link RegionOwner}, and turns its results and refusals into the
 * API's answers. The session token after a write grows its write vector by the new entry's dot;
 * after a read its read vector grows by the whole applied vector the region read at (more than the
 * keys read depend on: safe for MR and WFR, at the price of waits a per-key vector would avoid).
 */
public final class RegionHttpService implements RegionService {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RegionOwner owner;
  private final java.util.function.BooleanSupplier listening;
  private final HttpApiConfig limits;

  /**
   * @param owner the region
   * @param listening whether the replication listener has started (readiness)
   * @param limits the bounds of a request: items per batch or read, names, elements and nesting of
   *     an update
   */
  public RegionHttpService(
      RegionOwner owner, java.util.function.BooleanSupplier listening, HttpApiConfig limits) {
    this.owner = owner;
    this.listening = listening;
    this.limits = limits;
  }

  @Override
  public Future<RegionResponse> readKey(RequestContext context, String bucket, String key) {
    ObjectName name = new ObjectName(bucket, key);
    return owner
        .read(List.of(name), required(context, Guarantee.RequestKind.READ), context.waitMillis())
        .transform(
            result -> {
              if (result.failed()) {
                return Future.failedFuture(translate(result.cause()));
              }
              ObjectNode object = result.result().objects().get(0);
              if (object.has("found")) {
                return Future.failedFuture(
                    ApiException.of(
                        ErrorCode.NOT_FOUND, "no update of " + name + " has reached this region"));
              }
              return Future.succeededFuture(
                  new RegionResponse(
                      toJson(object), context.session().afterRead(result.result().vector())));
            });
  }

  @Override
  public Future<RegionResponse> updateKey(
      RequestContext context, String bucket, String key, JsonObject body) {
    UpdateRequest update;
    try {
      update = parseUpdate(new ObjectName(bucket, key), toJackson(body));
    } catch (ApiException e) {
      return Future.failedFuture(e);
    }
    return write(context, List.of(update), objects -> toJson(objects.get(0)));
  }

  @Override
  public Future<RegionResponse> batch(RequestContext context, JsonObject body) {
    List<UpdateRequest> updates;
    try {
      JsonArray items = itemsOf(body, "updates");
      ClientSequence batchSequence = batchClientSequence(body);
      updates = new ArrayList<>(items.size());
      for (int index = 0; index < items.size(); index++) {
        Object item = items.getValue(index);
        if (!(item instanceof JsonObject update)) {
          throw ApiException.inBatch(ErrorCode.BAD_REQUEST, "an update must be an object", index);
        }
        try {
          updates.add(inBatch(parseUpdate(name(update), toJackson(update)), batchSequence));
        } catch (ApiException e) {
          throw ApiException.inBatch(e.code(), e.getMessage(), index);
        }
      }
    } catch (ApiException e) {
      return Future.failedFuture(e);
    }
    return write(
        context,
        updates,
        objects -> {
          JsonArray results = new JsonArray();
          objects.forEach(object -> results.add(toJson(object)));
          return new JsonObject().put("results", results);
        });
  }

  @Override
  public Future<RegionResponse> read(RequestContext context, JsonObject body) {
    List<ObjectName> names;
    try {
      JsonArray items = itemsOf(body, "keys");
      names = new ArrayList<>(items.size());
      for (int index = 0; index < items.size(); index++) {
        Object item = items.getValue(index);
        if (!(item instanceof JsonObject key)) {
          throw ApiException.inBatch(ErrorCode.BAD_REQUEST, "a key must be an object", index);
        }
        try {
          names.add(name(key));
        } catch (ApiException e) {
          throw ApiException.inBatch(e.code(), e.getMessage(), index);
        }
      }
    } catch (ApiException e) {
      return Future.failedFuture(e);
    }
    return owner
        .read(names, required(context, Guarantee.RequestKind.READ), context.waitMillis())
        .transform(
            result -> {
              if (result.failed()) {
                return Future.failedFuture(translate(result.cause()));
              }
              JsonArray objects = new JsonArray();
              result.result().objects().forEach(object -> objects.add(toJson(object)));
              return Future.succeededFuture(
                  new RegionResponse(
                      new JsonObject().put("objects", objects),
                      context.session().afterRead(result.result().vector())));
            });
  }

  @Override
  public Future<JsonObject> status() {
    return owner.status().map(RegionHttpService::toJson);
  }

  @Override
  public boolean ready() {
    return owner.ready() && listening.getAsBoolean();
  }

  // ------------------------------------------------------------------ helpers

  private Future<RegionResponse> write(
      RequestContext context,
      List<UpdateRequest> updates,
      java.util.function.Function<List<ObjectNode>, JsonObject> shape) {
    return owner
        .write(updates, required(context, Guarantee.RequestKind.WRITE), context.waitMillis())
        .transform(
            result -> {
              if (result.failed()) {
                return Future.failedFuture(translate(result.cause()));
              }
              return Future.succeededFuture(
                  new RegionResponse(
                      shape.apply(result.result().objects()),
                      context.session().afterWrite(result.result().vector())));
            });
  }

  private static VersionVector required(RequestContext context, Guarantee.RequestKind kind) {
    return context.session().required(context.guarantees(), kind);
  }

  private JsonArray itemsOf(JsonObject body, String field) {
    Object items = body.getValue(field);
    int most = limits.itemsPerRequestMax();
    if (!(items instanceof JsonArray array) || array.isEmpty() || array.size() > most) {
      throw ApiException.badRequest(field + " must be an array of 1 to " + most + " items");
    }
    return array;
  }

  /**
   * A batch's client sequence: one for the whole batch, which is applied all or nothing, so one
   * acknowledgement answers for all of it and one sequence number names it.
   */
  private static ClientSequence batchClientSequence(JsonObject body) {
    JsonObject identity =
        new JsonObject().put("client", body.getValue("client")).put("seq", body.getValue("seq"));
    try {
      return CrdtRegistry.parseClientSequence(toJackson(identity));
    } catch (CrdtRequestException e) {
      throw ApiException.badRequest(e.getMessage());
    }
  }

  private static UpdateRequest inBatch(UpdateRequest update, ClientSequence batchSequence) {
    if (update.clientSequence() != null) {
      throw ApiException.badRequest(
          "a batch carries client and seq once, beside its updates, not in an update");
    }
    if (batchSequence == null) {
      return update;
    }
    if (update.operationId() != null) {
      throw ApiException.badRequest("an update carries an id or a client and seq, not both");
    }
    return update.withClientSequence(batchSequence);
  }

  private ObjectName name(JsonObject item) {
    Object bucket = item.getValue("bucket");
    Object key = item.getValue("key");
    if (!(bucket instanceof String bucketName) || !(key instanceof String keyName)) {
      throw ApiException.badRequest("bucket and key must be strings");
    }
    return new ObjectName(
        ObjectNames.checkName(bucketName, "bucket", limits.nameBytesMax()),
        ObjectNames.checkName(keyName, "key", limits.nameBytesMax()));
  }

  /**
   * Parses one update request: the CRDT operation, the operation id and the observed context,
   * within the limits on elements and nesting.
   */
  private UpdateRequest parseUpdate(ObjectName name, JsonNode body) {
    long elements = elementsOf(body, 0);
    if (elements > limits.elementsPerUpdateMax()) {
      throw ApiException.of(
          ErrorCode.TOO_LARGE,
          "an update may carry at most "
              + limits.elementsPerUpdateMax()
              + " elements (set elements, list values, map entries and fields), this one carries "
              + elements);
    }
    try {
      Operation operation = CrdtRegistry.parseUpdate(body, limits.nestingDepthMax());
      String operationId = null;
      JsonNode id = body.get("id");
      if (id != null && !id.isNull()) {
        if (!id.isTextual()) {
          throw ApiException.badRequest("id must be a string");
        }
        operationId = CrdtRegistry.requireOperationId(id.asText());
      }
      CausalContext observed = null;
      JsonNode context = body.get("context");
      if (context != null && !context.isNull()) {
        if (!context.isTextual()) {
          throw ApiException.badRequest("context must be a string");
        }
        observed = CrdtRegistry.decodeContext(context.asText());
      }
      return new UpdateRequest(
          name, operation, operationId, observed, CrdtRegistry.parseClientSequence(body));
    } catch (CrdtRequestException e) {
      throw ApiException.of(
          e.code() == io.meridian.crdt.ErrorCode.TYPE_MISMATCH
              ? ErrorCode.TYPE_MISMATCH
              : ErrorCode.BAD_REQUEST,
          e.getMessage());
    }
  }

  /**
   * The elements an update carries, over its whole tree: the items of its {@code elements}, {@code
   * values} and {@code fields} arrays, and its map {@code entries} with theirs. Counted before the
   * update is parsed, so an oversized one costs no more than this walk; malformed shapes count as
   * nothing here and are the parser's to refuse. Nesting past the ceiling stops the walk (the
   * parser refuses it).
   */
  private static long elementsOf(JsonNode update, int depth) {
    if (update == null || !update.isObject() || depth > HttpApiConfig.NESTING_DEPTH_CEILING) {
      return 0;
    }
    long count = 0;
    for (String field : new String[] {"elements", "values", "fields"}) {
      JsonNode items = update.get(field);
      if (items != null && items.isArray()) {
        count += items.size();
      }
    }
    JsonNode entries = update.get("entries");
    if (entries != null && entries.isObject()) {
      count += entries.size();
      for (JsonNode nested : entries) {
        count += elementsOf(nested, depth + 1);
      }
    }
    return count;
  }

  static Throwable translate(Throwable cause) {
    if (!(cause instanceof RegionException refused)) {
      return cause;
    }
    ErrorCode code =
        switch (refused.code()) {
          case BAD_REQUEST -> ErrorCode.BAD_REQUEST;
          case TYPE_MISMATCH -> ErrorCode.TYPE_MISMATCH;
          case TOO_LARGE -> ErrorCode.TOO_LARGE;
          case SESSION_UNAVAILABLE -> ErrorCode.SESSION_UNAVAILABLE;
          case OVERLOADED -> ErrorCode.OVERLOADED;
        };
    if (code.status() == 503) {
      return ApiException.unavailable(code, refused.getMessage(), refused.retryAfterSeconds());
    }
    if (refused.index() >= 0) {
      return ApiException.inBatch(code, refused.getMessage(), refused.index());
    }
    return ApiException.of(code, refused.getMessage());
  }

  private static JsonNode toJackson(JsonObject body) {
    try {
      return JSON.readTree(body.toBuffer().getBytes());
    } catch (IOException e) {
      throw ApiException.badRequest("malformed JSON");
    }
  }

  @SuppressWarnings("unchecked")
  private static JsonObject toJson(ObjectNode node) {
    return new JsonObject(JSON.convertValue(node, Map.class));
  }
}
