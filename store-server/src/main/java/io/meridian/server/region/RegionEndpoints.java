package io.meridian.server.region;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.clocks.CausalContext;
import io.meridian.clocks.ClocksCodec;
import io.meridian.clocks.DecodeException;
import io.meridian.clocks.VersionVector;
import io.meridian.crdt.CrdtRegistry;
import io.meridian.crdt.CrdtRequestException;
import io.meridian.crdt.ErrorCode;
import io.meridian.crdt.Operation;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The key endpoints of the API (API.md "Endpoints" and "Sessions") over one {@link Region}, on a
 * plain Vert.x HTTP server: requests are parsed and checked on the event loop that received them,
 * handed to the region, and answered when its future completes. Written to be routed to by the
 * shared HTTP layer; until that exists it is the region's HTTP server.
 *
 * <p>Session tokens here: {@code 1.} + base64url(write vector) + {@code .} + base64url(read
 * vector), each in the clocks module's versioned encoding. Every response carries the token after
 * the request; an error or 503 carries the token as it came (or an empty one).
 */
public final class RegionEndpoints {
  /** Largest request body, as the API states it. */
  public static final int BODY_BYTES_MAX = 1 << 20;

  /** Most updates in a batch or keys in a read. */
  public static final int ITEMS_MAX = 1_000;

  /** Longest session wait a client may ask for. */
  public static final long WAIT_MILLIS_MAX = 60_000;

  static final long WAIT_MILLIS_DEFAULT = 1_000;
  static final String SESSION_HEADER = "Meridian-Session";
  static final String GUARANTEES_HEADER = "Meridian-Guarantees";
  static final String WAIT_HEADER = "Meridian-Wait";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String KEYS_PREFIX = "/v1/buckets/";

  private final Region region;
  private final Supplier<String> metricsText;

  /** A guarantee of Terry et al. (1994). */
  enum Guarantee {
    RYW,
    MR,
    MW,
    WFR
  }

  /** The session side of one request. */
  record Session(
      VersionVector writes, VersionVector reads, Set<Guarantee> guarantees, long waitMillis) {
    VersionVector requiredForRead() {
      VersionVector required = VersionVector.empty();
      if (guarantees.contains(Guarantee.RYW)) {
        required = required.merge(writes);
      }
      if (guarantees.contains(Guarantee.MR)) {
        required = required.merge(reads);
      }
      return required;
    }

    VersionVector requiredForWrite() {
      VersionVector required = VersionVector.empty();
      if (guarantees.contains(Guarantee.MW)) {
        required = required.merge(writes);
      }
      if (guarantees.contains(Guarantee.WFR)) {
        required = required.merge(reads);
      }
      return required;
    }

    String token() {
      return encodeToken(writes, reads);
    }
  }

  public RegionEndpoints(Region region, Supplier<String> metricsText) {
    this.region = region;
    this.metricsText = metricsText;
  }

  /** Starts an HTTP server on {@code host:port} (0 picks a free port) serving these endpoints. */
  public Future<HttpServer> listen(Vertx vertx, String host, int port) {
    HttpServerOptions options =
        new HttpServerOptions()
            .setHost(host)
            .setPort(port)
            .setMaxInitialLineLength(8192)
            .setDecompressionSupported(false);
    return vertx.createHttpServer(options).requestHandler(this::handle).listen();
  }

  /** Serves one request. */
  public void handle(HttpServerRequest request) {
    String path = request.path();
    String method = request.method().name();
    if (method.equals("GET") && path.equals("/health/live")) {
      send(request.response(), 200, "{\"status\":\"live\"}", null);
      return;
    }
    if (method.equals("GET") && path.equals("/health/ready")) {
      boolean ready = region.ready();
      send(
          request.response(),
          ready ? 200 : 503,
          ready ? "{\"status\":\"ready\"}" : "{\"status\":\"starting\"}",
          null);
      return;
    }
    if (method.equals("GET") && path.equals("/metrics")) {
      request
          .response()
          .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
          .end(metricsText.get());
      return;
    }
    Session session;
    try {
      session = session(request);
    } catch (RegionException e) {
      error(request.response(), e, encodeToken(VersionVector.empty(), VersionVector.empty()));
      return;
    }
    try {
      route(request, method, path, session);
    } catch (RegionException e) {
      error(request.response(), e, session.token());
    }
  }

  private void route(HttpServerRequest request, String method, String path, Session session) {
    if (path.equals("/v1/status") && method.equals("GET")) {
      region.status().onComplete(result -> reply(request, result, null));
      return;
    }
    if (path.equals("/v1/batch") && method.equals("POST")) {
      withBody(request, session, body -> batch(request, body, session));
      return;
    }
    if (path.equals("/v1/read") && method.equals("POST")) {
      withBody(request, session, body -> readMany(request, body, session));
      return;
    }
    if (path.startsWith(KEYS_PREFIX)) {
      String[] parts = path.substring(KEYS_PREFIX.length()).split("/", -1);
      if (parts.length == 3 && parts[1].equals("keys")) {
        ObjectName name = new ObjectName(decodeName(parts[0]), decodeName(parts[2]));
        if (method.equals("GET")) {
          region
              .read(List.of(name), session.requiredForRead(), session.waitMillis())
              .onComplete(
                  result -> {
                    if (result.succeeded() && result.result().objects().get(0).has("found")) {
                      error(
                          request.response(),
                          new NotFound("no update of " + name + " has reached this region"),
                          session.token());
                      return;
                    }
                    replyRead(request, result, session, objects -> objects.get(0));
                  });
          return;
        }
        if (method.equals("POST")) {
          withBody(request, session, body -> updateOne(request, name, body, session));
          return;
        }
      }
    }
    error(request.response(), new NotFound("no route " + method + " " + path), session.token());
  }

  private void updateOne(
      HttpServerRequest request, ObjectName name, JsonNode body, Session session) {
    UpdateRequest update = parseUpdate(name, body);
    region
        .write(List.of(update), session.requiredForWrite(), session.waitMillis())
        .onComplete(result -> replyWrite(request, result, session, objects -> objects.get(0)));
  }

  private void batch(HttpServerRequest request, JsonNode body, Session session) {
    JsonNode updates = body.get("updates");
    if (updates == null || !updates.isArray() || updates.isEmpty() || updates.size() > ITEMS_MAX) {
      throw badRequest("updates must be an array of 1 to " + ITEMS_MAX + " updates");
    }
    List<UpdateRequest> parsed = new ArrayList<>(updates.size());
    for (int index = 0; index < updates.size(); index++) {
      try {
        JsonNode update = updates.get(index);
        parsed.add(parseUpdate(name(update), update));
      } catch (RegionException e) {
        throw e.withIndex(index);
      }
    }
    region
        .write(parsed, session.requiredForWrite(), session.waitMillis())
        .onComplete(
            result ->
                replyWrite(
                    request,
                    result,
                    session,
                    objects -> {
                      ObjectNode reply = JSON.createObjectNode();
                      reply.putArray("results").addAll(objects);
                      return reply;
                    }));
  }

  private void readMany(HttpServerRequest request, JsonNode body, Session session) {
    JsonNode keys = body.get("keys");
    if (keys == null || !keys.isArray() || keys.isEmpty() || keys.size() > ITEMS_MAX) {
      throw badRequest("keys must be an array of 1 to " + ITEMS_MAX + " keys");
    }
    List<ObjectName> names = new ArrayList<>(keys.size());
    for (int index = 0; index < keys.size(); index++) {
      try {
        names.add(name(keys.get(index)));
      } catch (RegionException e) {
        throw e.withIndex(index);
      }
    }
    region
        .read(names, session.requiredForRead(), session.waitMillis())
        .onComplete(
            result ->
                replyRead(
                    request,
                    result,
                    session,
                    objects -> {
                      ObjectNode reply = JSON.createObjectNode();
                      reply.putArray("objects").addAll(objects);
                      return reply;
                    }));
  }

  // ------------------------------------------------------------------ parsing

  private static ObjectName name(JsonNode item) {
    if (item == null || !item.isObject()) {
      throw badRequest("each item must be an object with a bucket and a key");
    }
    JsonNode bucket = item.get("bucket");
    JsonNode key = item.get("key");
    if (bucket == null || !bucket.isTextual() || key == null || !key.isTextual()) {
      throw badRequest("bucket and key must be strings");
    }
    if (!ObjectName.isValid(bucket.asText(), key.asText())) {
      throw badRequest("bucket and key must be 1 to 256 bytes of UTF-8");
    }
    return new ObjectName(bucket.asText(), key.asText());
  }

  static UpdateRequest parseUpdate(ObjectName name, JsonNode body) {
    try {
      Operation operation = CrdtRegistry.parseUpdate(body);
      String operationId = null;
      JsonNode id = body.get("id");
      if (id != null && !id.isNull()) {
        if (!id.isTextual()) {
          throw badRequest("id must be a string");
        }
        operationId = CrdtRegistry.requireOperationId(id.asText());
      }
      CausalContext observed = null;
      JsonNode context = body.get("context");
      if (context != null && !context.isNull()) {
        if (!context.isTextual()) {
          throw badRequest("context must be a string");
        }
        observed = CrdtRegistry.decodeContext(context.asText());
      }
      return new UpdateRequest(name, operation, operationId, observed);
    } catch (CrdtRequestException e) {
      throw new RegionException(
          e.code() == ErrorCode.TYPE_MISMATCH
              ? RegionException.Code.TYPE_MISMATCH
              : RegionException.Code.BAD_REQUEST,
          e.getMessage());
    }
  }

  private static String decodeName(String encoded) {
    String decoded;
    try {
      byte[] raw =
          URLDecoder.decode(encoded.replace("+", "%2B"), StandardCharsets.ISO_8859_1)
              .getBytes(StandardCharsets.ISO_8859_1);
      decoded =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(raw))
              .toString();
    } catch (CharacterCodingException | IllegalArgumentException e) {
      throw badRequest("bucket and key must be percent-encoded UTF-8");
    }
    if (!ObjectName.isValid(decoded, "k")) {
      throw badRequest("bucket and key must be 1 to 256 bytes of UTF-8");
    }
    return decoded;
  }

  static Session session(HttpServerRequest request) {
    String token = request.getHeader(SESSION_HEADER);
    VersionVector writes = VersionVector.empty();
    VersionVector reads = VersionVector.empty();
    if (token != null) {
      VersionVector[] vectors = decodeToken(token);
      writes = vectors[0];
      reads = vectors[1];
    }
    Set<Guarantee> guarantees = guarantees(request.getHeader(GUARANTEES_HEADER), token != null);
    long waitMillis = WAIT_MILLIS_DEFAULT;
    String wait = request.getHeader(WAIT_HEADER);
    if (wait != null) {
      try {
        waitMillis = Long.parseLong(wait.trim());
      } catch (NumberFormatException e) {
        throw badRequest(WAIT_HEADER + " must be an integer");
      }
      if (waitMillis < 0 || waitMillis > WAIT_MILLIS_MAX) {
        throw badRequest(WAIT_HEADER + " must be 0 to " + WAIT_MILLIS_MAX);
      }
    }
    return new Session(writes, reads, guarantees, waitMillis);
  }

  static Set<Guarantee> guarantees(String header, boolean tokenSent) {
    if (header == null) {
      return tokenSent ? EnumSet.allOf(Guarantee.class) : EnumSet.noneOf(Guarantee.class);
    }
    String value = header.trim().toUpperCase(Locale.ROOT);
    if (value.equals("CAUSAL")) {
      return EnumSet.allOf(Guarantee.class);
    }
    if (value.equals("NONE")) {
      return EnumSet.noneOf(Guarantee.class);
    }
    EnumSet<Guarantee> chosen = EnumSet.noneOf(Guarantee.class);
    for (String part : value.split(",", -1)) {
      try {
        chosen.add(Guarantee.valueOf(part.trim()));
      } catch (IllegalArgumentException e) {
        throw badRequest(
            GUARANTEES_HEADER + " must list RYW, MR, MW, WFR, or be causal or none alone");
      }
    }
    return chosen;
  }

  static String encodeToken(VersionVector writes, VersionVector reads) {
    Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
    return "1."
        + base64.encodeToString(ClocksCodec.encode(writes))
        + "."
        + base64.encodeToString(ClocksCodec.encode(reads));
  }

  static VersionVector[] decodeToken(String token) {
    String[] parts = token.trim().split("\\.", -1);
    if (parts.length != 3 || !parts[0].equals("1")) {
      throw badRequest("malformed " + SESSION_HEADER + " token");
    }
    try {
      Base64.Decoder base64 = Base64.getUrlDecoder();
      return new VersionVector[] {
        ClocksCodec.decodeVersionVector(base64.decode(parts[1])),
        ClocksCodec.decodeVersionVector(base64.decode(parts[2]))
      };
    } catch (IllegalArgumentException | DecodeException e) {
      throw badRequest("malformed " + SESSION_HEADER + " token");
    }
  }

  // ------------------------------------------------------------------ bodies and answers

  private interface BodyConsumer {
    void accept(JsonNode body);
  }

  private static void withBody(HttpServerRequest request, Session session, BodyConsumer consumer) {
    String contentType = request.getHeader("Content-Type");
    if (contentType == null
        || !contentType
            .split(";", 2)[0]
            .trim()
            .toLowerCase(Locale.ROOT)
            .equals("application/json")) {
      request.resume();
      error(
          request.response(),
          new ApiError(415, "unsupported_media_type", "bodies are application/json"),
          session.token());
      return;
    }
    String length = request.getHeader("Content-Length");
    if (length != null && parseLength(length) > BODY_BYTES_MAX) {
      error(
          request.response(),
          new RegionException(RegionException.Code.TOO_LARGE, "body over " + BODY_BYTES_MAX),
          session.token());
      request.connection().close();
      return;
    }
    Buffer body = Buffer.buffer();
    boolean[] tooLarge = {false};
    request.handler(
        chunk -> {
          if (tooLarge[0]) {
            return;
          }
          if (body.length() + chunk.length() > BODY_BYTES_MAX) {
            tooLarge[0] = true;
            error(
                request.response(),
                new RegionException(RegionException.Code.TOO_LARGE, "body over " + BODY_BYTES_MAX),
                session.token());
            return;
          }
          body.appendBuffer(chunk);
        });
    request.endHandler(
        v -> {
          if (tooLarge[0]) {
            return;
          }
          try {
            JsonNode node;
            try {
              node = JSON.readTree(body.getBytes());
            } catch (IOException e) {
              throw badRequest("malformed JSON");
            }
            if (node == null || !node.isObject()) {
              throw badRequest("the body must be a JSON object");
            }
            consumer.accept(node);
          } catch (RegionException e) {
            error(request.response(), e, session.token());
          }
        });
  }

  private static long parseLength(String length) {
    try {
      return Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static void reply(
      HttpServerRequest request,
      io.vertx.core.AsyncResult<ObjectNode> result,
      String sessionToken) {
    if (result.failed()) {
      error(request.response(), result.cause(), sessionToken);
      return;
    }
    send(request.response(), 200, write(result.result()), sessionToken);
  }

  private static void replyWrite(
      HttpServerRequest request,
      io.vertx.core.AsyncResult<RegionResult> result,
      Session session,
      java.util.function.Function<List<ObjectNode>, ObjectNode> shape) {
    if (result.failed()) {
      error(request.response(), result.cause(), session.token());
      return;
    }
    String token = encodeToken(session.writes().merge(result.result().vector()), session.reads());
    send(request.response(), 200, write(shape.apply(result.result().objects())), token);
  }

  private static void replyRead(
      HttpServerRequest request,
      io.vertx.core.AsyncResult<RegionResult> result,
      Session session,
      java.util.function.Function<List<ObjectNode>, ObjectNode> shape) {
    if (result.failed()) {
      error(request.response(), result.cause(), session.token());
      return;
    }
    String token = encodeToken(session.writes(), session.reads().merge(result.result().vector()));
    send(request.response(), 200, write(shape.apply(result.result().objects())), token);
  }

  private static String write(ObjectNode node) {
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serializes", e);
    }
  }

  private static void send(
      HttpServerResponse response, int status, String body, String sessionToken) {
    if (response.ended()) {
      return;
    }
    response.setStatusCode(status).putHeader("Content-Type", "application/json");
    if (sessionToken != null) {
      response.putHeader(SESSION_HEADER, sessionToken);
    }
    response.end(body);
  }

  /** An error the region did not raise: a route, a media type. */
  private static class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;
    final String code;

    ApiError(int status, String code, String message) {
      super(message, null, false, false);
      this.status = status;
      this.code = code;
    }
  }

  private static final class NotFound extends ApiError {
    private static final long serialVersionUID = 1L;

    NotFound(String message) {
      super(404, "not_found", message);
    }
  }

  private static void error(HttpServerResponse response, Throwable cause, String sessionToken) {
    ObjectNode body = JSON.createObjectNode();
    ObjectNode error = body.putObject("error");
    int status;
    if (cause instanceof RegionException regionError) {
      status = regionError.code().status();
      error.put("code", regionError.code().apiCode());
      error.put("message", regionError.getMessage());
      if (regionError.index() >= 0) {
        error.put("index", regionError.index());
      }
      if (status == 503 && !response.ended()) {
        response.putHeader("Retry-After", Long.toString(regionError.retryAfterSeconds()));
      }
    } else if (cause instanceof ApiError apiError) {
      status = apiError.status;
      error.put("code", apiError.code);
      error.put("message", apiError.getMessage());
    } else {
      status = 500;
      error.put("code", "internal");
      error.put("message", String.valueOf(cause));
    }
    send(response, status, write(body), sessionToken);
  }

  private static RegionException badRequest(String message) {
    return new RegionException(RegionException.Code.BAD_REQUEST, message);
  }
}
