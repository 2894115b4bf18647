package io.meridian.server.region;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.clocks.VersionVector;
import io.meridian.crdt.ClientSequence;
import io.meridian.crdt.CrdtRegistry;
import io.meridian.crdt.CrdtRequestException;
import io.meridian.crdt.CrdtType;
import io.meridian.server.http.ApiException;
import io.meridian.server.http.ChangeListener;
import io.meridian.server.http.ErrorCode;
import io.meridian.server.http.HttpApiConfig;
import io.meridian.server.http.ObjectNames;
import io.meridian.server.http.RegionResponse;
import io.meridian.server.http.RegionService;
import io.meridian.server.http.RequestContext;
import io.meridian.server.http.WatchStart;
import io.meridian.server.session.Guarantee;
import io.meridian.server.session.SessionToken;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * The {@link RegionService} of a running region: reads the parsed bodies and checks them on the
 * HTTP event loop, hands the typed requests to the {@link RegionOwner}, and renders its immutable
 * results as JSON, also on the event loop (never on the owner's thread): a single object straight
 * to bytes, batches and reads as trees. The session token after a write grows its write vector by
 * the new entry's dot; after a read its read vector grows by the whole applied vector the region
 * read at (more than the keys read depend on: safe for MR and WFR, at the price of waits a per-key
 * vector would avoid).
 */
public final class RegionHttpService implements RegionService {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** Its factory's generators write trees (the CRDT values) too. */
  private static final ObjectMapper JSON = new ObjectMapper();

  private final RegionOwner owner;
  private final BooleanSupplier listening;
  private final HttpApiConfig limits;

  /**
   * @param owner the region
   * @param listening whether the replication listener has started (readiness)
   * @param limits the bounds of a request: items per batch or read, names, elements and nesting of
   *     an update
   */
  public RegionHttpService(RegionOwner owner, BooleanSupplier listening, HttpApiConfig limits) {
    this.owner = owner;
    this.listening = listening;
    this.limits = limits;
  }

  @Override
  public Future<RegionResponse> readKey(RequestContext context, String bucket, String key) {
    ObjectName name = new ObjectName(bucket, key);
    return owner
        .read(List.of(name), required(context, Guarantee.RequestKind.READ), context.waitMillis())
        .compose(
            result -> {
              RegionObject object = result.objects().get(0);
              if (!object.found()) {
                return Future.failedFuture(
                    ApiException.of(
                        ErrorCode.NOT_FOUND, "no update of " + name + " has reached this region"));
              }
              return Future.succeededFuture(
                  RegionResponse.rendered(
                      renderBytes(object), false, context.session().afterRead(result.vector())));
            });
  }

  @Override
  public Future<RegionResponse> updateKey(
      RequestContext context, String bucket, String key, ObjectNode body) {
    return updateKey(context, bucket, key, body, false);
  }

  /**
   * The object after the update rendered straight to bytes, or with {@code minimal} only {@code
   * {"bucket","key","type"}}: neither the value nor the observed context is computed.
   */
  @Override
  public Future<RegionResponse> updateKey(
      RequestContext context, String bucket, String key, ObjectNode body, boolean minimal) {
    UpdateRequest update;
    try {
      update = parseUpdate(new ObjectName(bucket, key), body);
    } catch (ApiException e) {
      return Future.failedFuture(e);
    }
    return owner
        .write(
            List.of(update), required(context, Guarantee.RequestKind.WRITE), context.waitMillis())
        .map(
            result ->
                RegionResponse.rendered(
                    minimal
                        ? renderMinimal(result.objects().get(0))
                        : renderBytes(result.objects().get(0)),
                    minimal,
                    context.session().afterWrite(result.vector())));
  }

  @Override
  public Future<RegionResponse> batch(RequestContext context, ObjectNode body) {
    List<UpdateRequest> updates;
    BatchAnswer answer;
    try {
      answer = BatchAnswer.of(body.get("answer"));
      ArrayNode items = itemsOf(body, "updates");
      ClientSequence batchSequence = batchClientSequence(body);
      updates = new ArrayList<>(items.size());
      for (int index = 0; index < items.size(); index++) {
        if (!(items.get(index) instanceof ObjectNode update)) {
          throw ApiException.inBatch(ErrorCode.BAD_REQUEST, "an update must be an object", index);
        }
        try {
          updates.add(inBatch(parseUpdate(name(update), update), batchSequence));
        } catch (ApiException e) {
          throw ApiException.inBatch(e.code(), e.getMessage(), index);
        }
      }
    } catch (ApiException e) {
      return Future.failedFuture(e);
    }
    return write(context, updates, answer::render);
  }

  /**
   * What a batch's answer holds, as its {@code "answer"} field asks: {@code "results"} (the
   * default) one object per update, in order; {@code "objects"} each key's object once, in the
   * order the keys first appear; {@code "none"} nothing but the session token. A client that keeps
   * no state of the keys, or keeps each key once, need not receive (and the region need not render)
   * one object per update.
   */
  enum BatchAnswer {
    RESULTS,
    OBJECTS,
    NONE;

    static BatchAnswer of(JsonNode field) {
      if (field == null) {
        return RESULTS;
      }
      return switch (field.isTextual() ? field.asText() : "") {
        case "results" -> RESULTS;
        case "objects" -> OBJECTS;
        case "none" -> NONE;
        default ->
            throw ApiException.badRequest("answer must be \"results\", \"objects\" or \"none\"");
      };
    }

    JsonNode render(List<RegionObject> objects) {
      ObjectNode answer = NODES.objectNode();
      switch (this) {
        case RESULTS -> answer.putArray("results").addAll(renderAll(objects));
        case OBJECTS -> answer.putArray("objects").addAll(renderAll(distinct(objects)));
        case NONE -> {}
      }
      return answer;
    }

    private static List<RegionObject> distinct(List<RegionObject> objects) {
      Map<ObjectName, RegionObject> last = new LinkedHashMap<>();
      objects.forEach(object -> last.put(object.name(), object));
      return new ArrayList<>(last.values());
    }
  }

  @Override
  public Future<RegionResponse> read(RequestContext context, ObjectNode body) {
    List<ObjectName> names;
    try {
      ArrayNode items = itemsOf(body, "keys");
      names = new ArrayList<>(items.size());
      for (int index = 0; index < items.size(); index++) {
        if (!(items.get(index) instanceof ObjectNode key)) {
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
        .map(
            result -> {
              ObjectNode objects = NODES.objectNode();
              objects.putArray("objects").addAll(renderAll(result.objects()));
              return new RegionResponse(objects, context.session().afterRead(result.vector()));
            });
  }

  @Override
  public Future<WatchStart> watch(
      RequestContext context,
      String bucket,
      List<String> keys,
      SessionToken since,
      ChangeListener listener) {
    List<ObjectName> names = new ArrayList<>(keys.size());
    keys.forEach(key -> names.add(new ObjectName(bucket, key)));
    VersionVector writeVector = context.session().writeVector();
    return owner
        .watch(
            names,
            required(context, Guarantee.RequestKind.READ),
            context.waitMillis(),
            since == null ? null : since.readVector(),
            (objects, vector) ->
                listener.offer(() -> renderAll(objects), SessionToken.of(writeVector, vector)))
        .map(
            start ->
                new WatchStart(
                    renderAll(start.objects()),
                    SessionToken.of(writeVector, start.vector()),
                    () -> owner.unwatch(start.id())));
  }

  /**
   * Renders each object, in order, and each distinct one once: a batch or read that names a key n
   * times holds its one state n times, and rendering it is the type's value and observed context,
   * proportional to the state (a batch of 1,000 increments of one counter rendered that counter
   * 1,000 times). Repeats share the rendered tree, which nothing changes once rendered.
   */
  static List<JsonNode> renderAll(List<RegionObject> objects) {
    List<JsonNode> rendered = new ArrayList<>(objects.size());
    Map<ObjectName, RegionObject> renderedFrom = new HashMap<>();
    Map<ObjectName, JsonNode> renderedAs = new HashMap<>();
    for (RegionObject object : objects) {
      RegionObject earlier = renderedFrom.get(object.name());
      if (earlier != null && earlier.state() == object.state()) {
        rendered.add(renderedAs.get(object.name()));
        continue;
      }
      JsonNode node = render(object);
      renderedFrom.put(object.name(), object);
      renderedAs.put(object.name(), node);
      rendered.add(node);
    }
    return rendered;
  }

  @Override
  public Future<JsonNode> status() {
    return owner.status().map(RegionHttpService::render);
  }

  @Override
  public boolean ready() {
    return owner.ready() && listening.getAsBoolean();
  }

  // ------------------------------------------------------------------ helpers

  private Future<RegionResponse> write(
      RequestContext context,
      List<UpdateRequest> updates,
      Function<List<RegionObject>, JsonNode> shape) {
    return owner
        .write(updates, required(context, Guarantee.RequestKind.WRITE), context.waitMillis())
        .map(
            result ->
                new RegionResponse(
                    shape.apply(result.objects()), context.session().afterWrite(result.vector())));
  }

  private static VersionVector required(RequestContext context, Guarantee.RequestKind kind) {
    return context.session().required(context.guarantees(), kind);
  }

  private ArrayNode itemsOf(ObjectNode body, String field) {
    int most = limits.itemsPerRequestMax();
    if (!(body.get(field) instanceof ArrayNode array) || array.isEmpty() || array.size() > most) {
      throw ApiException.badRequest(field + " must be an array of 1 to " + most + " items");
    }
    return array;
  }

  /**
   * A batch's client sequence: one for the whole batch, which is applied all or nothing, so one
   * acknowledgement answers for all of it and one sequence number names it.
   */
  private static ClientSequence batchClientSequence(ObjectNode body) {
    try {
      return CrdtRegistry.parseClientSequence(body);
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

  private ObjectName name(ObjectNode item) {
    JsonNode bucket = item.get("bucket");
    JsonNode key = item.get("key");
    if (bucket == null || !bucket.isTextual() || key == null || !key.isTextual()) {
      throw ApiException.badRequest("bucket and key must be strings");
    }
    return new ObjectName(
        ObjectNames.checkName(bucket.asText(), "bucket", limits.nameBytesMax()),
        ObjectNames.checkName(key.asText(), "key", limits.nameBytesMax()));
  }

  /**
   * Parses one update request: the CRDT operation, the operation id, the observed context and the
   * client sequence, within the limits on elements and nesting. The elements are counted before the
   * update is parsed, so an oversized one costs no more than that walk.
   */
  private UpdateRequest parseUpdate(ObjectName name, JsonNode body) {
    long elements = CrdtRegistry.elementsOf(body);
    if (elements > limits.elementsPerUpdateMax()) {
      throw ApiException.of(
          ErrorCode.TOO_LARGE,
          "an update may carry at most "
              + limits.elementsPerUpdateMax()
              + " elements (set elements, list values, map entries and fields), this one carries "
              + elements);
    }
    try {
      return new UpdateRequest(
          name,
          CrdtRegistry.parseUpdate(body, limits.nestingDepthMax()),
          CrdtRegistry.parseOperationId(body),
          CrdtRegistry.parseObservedContext(body),
          CrdtRegistry.parseClientSequence(body));
    } catch (CrdtRequestException e) {
      throw ApiException.refused(e, -1);
    }
  }

  /** An object as {@code GET} shows it, or {@code {"bucket","key","found":false}}. */
  static ObjectNode render(RegionObject object) {
    ObjectNode node = NODES.objectNode();
    node.put("bucket", object.name().bucket());
    node.put("key", object.name().key());
    if (!object.found()) {
      node.put("found", false);
      return node;
    }
    CrdtType type = object.type();
    node.put("type", type.name());
    node.set("value", type.value(object.state()));
    node.put("context", CrdtRegistry.encodeContext(type.observedContext(object.state())));
    return node;
  }

  /**
   * {@link #render(RegionObject)} written straight to UTF-8 JSON with Jackson's streaming
   * generator: the same fields in the same order, without the tree around the value.
   */
  static Buffer renderBytes(RegionObject object) {
    return generate(
        json -> {
          json.writeStringField("bucket", object.name().bucket());
          json.writeStringField("key", object.name().key());
          if (!object.found()) {
            json.writeBooleanField("found", false);
            return;
          }
          CrdtType type = object.type();
          json.writeStringField("type", type.name());
          json.writeFieldName("value");
          json.writeTree(type.value(object.state()));
          json.writeStringField(
              "context", CrdtRegistry.encodeContext(type.observedContext(object.state())));
        });
  }

  /** The small answer to a write: {@code {"bucket","key","type"}} of the object written. */
  static Buffer renderMinimal(RegionObject object) {
    return generate(
        json -> {
          json.writeStringField("bucket", object.name().bucket());
          json.writeStringField("key", object.name().key());
          json.writeStringField("type", object.type().name());
        });
  }

  @FunctionalInterface
  private interface Fields {
    void write(JsonGenerator json) throws IOException;
  }

  /** One JSON object whose fields {@code fields} writes, as UTF-8 bytes. */
  private static Buffer generate(Fields fields) {
    ByteArrayBuilder bytes = new ByteArrayBuilder(128);
    try (JsonGenerator json = JSON.getFactory().createGenerator(bytes)) {
      json.writeStartObject();
      fields.write(json);
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("writing JSON to memory: " + e, e);
    }
    return Buffer.buffer(bytes.toByteArray());
  }

  /** {@code GET /v1/status}'s body. */
  static ObjectNode render(RegionStatus status) {
    ObjectNode node = NODES.objectNode();
    node.put("region", status.region());
    node.put("hlc", status.hlc());
    ObjectNode applied = node.putObject("applied");
    status.applied().forEach(applied::put);
    node.put("logLength", status.logLength());
    var peers = node.putArray("peers");
    for (RegionStatus.Peer peer : status.peers()) {
      peers
          .addObject()
          .put("name", peer.name())
          .put("connected", peer.connected())
          .put("lagEntries", peer.lagEntries())
          .put("lagMillis", peer.lagMillis());
    }
    return node;
  }
}
