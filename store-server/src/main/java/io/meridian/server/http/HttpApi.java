package io.meridian.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.clocks.DecodeException;
import io.meridian.server.session.Guarantee;
import io.meridian.server.session.SessionHeaders;
import io.meridian.server.session.SessionToken;
import io.meridian.server.session.SessionTokenCodec;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The region's HTTP router (API "Endpoints" and "Sessions"). It owns everything that does not need
 * the CRDTs: the error model {@code {"error":{"code","message"}}}, the body limit, content types,
 * bucket and key names, the session headers, health, {@code /metrics} and request latency timers
 * ({@code meridian.http.requests}, tagged by endpoint and status). The endpoints that read or
 * change data call the {@link RegionService}.
 *
 * <p>A client error is always a 4xx and never reaches the service; every response carries a {@code
 * Meridian-Session} token: the service's updated one, else the request's own, else a new empty one.
 *
 * <p>A body is parsed once, here, into the Jackson tree the service reads. An answer is either the
 * tree the service built, written to bytes once, here, on the event loop, or bytes the service
 * wrote straight from the object (the single-object answers, no tree). A key update with {@code
 * Prefer: return=minimal} may be answered {@code {"bucket","key","type"}} with {@code
 * Preference-Applied: return=minimal} (docs/api-extensions.md).
 */
public final class HttpApi {
  /** The Prometheus text exposition format served at {@code /metrics}. */
  public static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private static final String JSON_CONTENT_TYPE = "application/json; charset=utf-8";
  private static final String BUCKETS_PREFIX = "/v1/buckets/";
  private static final String ENDPOINT = "meridian.endpoint";
  private static final String RESPONSE_SESSION = "meridian.session";
  private static final String UNMATCHED = "unmatched";
  private static final String PREFER = "Prefer";
  private static final String PREFERENCE_APPLIED = "Preference-Applied";
  private static final String RETURN_MINIMAL = "return=minimal";

  /** Refuses trailing content after the body's object, as a strict parser must. */
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final RegionService service;
  private final PrometheusMeterRegistry registry;
  private final HttpApiConfig config;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();
  private final WatchStream watches;
  private final RequestGuard guard;

  private HttpApi(
      RegionService service,
      PrometheusMeterRegistry registry,
      HttpApiConfig config,
      WatchLimits watchLimits,
      RequestGuard guard) {
    this.service = Objects.requireNonNull(service, "service");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.config = Objects.requireNonNull(config, "config");
    this.guard = Objects.requireNonNull(guard, "guard");
    this.watches = new WatchStream(service, watchLimits, config, HttpApi::sendError);
  }

  /** The router of a region whose data endpoints {@code service} serves. */
  public static Router router(
      Vertx vertx, RegionService service, PrometheusMeterRegistry registry, HttpApiConfig config) {
    return router(vertx, service, registry, config, WatchLimits.defaults());
  }

  /**
   * As {@link #router(Vertx, RegionService, PrometheusMeterRegistry, HttpApiConfig)}, with the
   * change streams' bounds.
   */
  public static Router router(
      Vertx vertx,
      RegionService service,
      PrometheusMeterRegistry registry,
      HttpApiConfig config,
      WatchLimits watchLimits) {
    return router(vertx, service, registry, config, watchLimits, RequestGuard.OPEN);
  }

  /**
   * As {@link #router(Vertx, RegionService, PrometheusMeterRegistry, HttpApiConfig, WatchLimits)},
   * with every request but the refused-at-once ones checked by {@code guard} (authentication,
   * scopes, per-client bounds).
   */
  public static Router router(
      Vertx vertx,
      RegionService service,
      PrometheusMeterRegistry registry,
      HttpApiConfig config,
      WatchLimits watchLimits,
      RequestGuard guard) {
    return new HttpApi(service, registry, config, watchLimits, guard).build(vertx);
  }

  private Router build(Vertx vertx) {
    Router router = Router.router(vertx);
    router.route().handler(this::begin);
    router.route().handler(guard::beforeBody);
    router.route().handler(BodyHandler.create(false).setBodyLimit(config.bodyBytesMax()));
    router.route().handler(guard::afterBody);
    router.route().handler(this::objectEndpoints);
    router.get("/health/live").handler(ctx -> endpoint(ctx, "GET /health/live", this::live));
    router.get("/health/ready").handler(ctx -> endpoint(ctx, "GET /health/ready", this::ready));
    router.get("/metrics").handler(ctx -> endpoint(ctx, "GET /metrics", this::metrics));
    router.get("/v1/status").handler(ctx -> endpoint(ctx, "GET /v1/status", this::status));
    router.post("/v1/batch").handler(ctx -> endpoint(ctx, "POST /v1/batch", this::batch));
    router.post("/v1/read").handler(ctx -> endpoint(ctx, "POST /v1/read", this::read));
    router
        .route()
        .last()
        .handler(ctx -> sendError(ctx, ApiException.of(ErrorCode.NOT_FOUND, "no such route")));
    router.route().failureHandler(this::failure);
    return router;
  }

  // ---- every request

  private void begin(RoutingContext ctx) {
    long startNanos = System.nanoTime();
    ctx.put(ENDPOINT, UNMATCHED);
    ctx.addHeadersEndHandler(ignored -> addSessionHeader(ctx));
    if (inFlight.incrementAndGet() > config.inFlightRequestsMax()) {
      inFlight.decrementAndGet();
      sendError(
          ctx,
          ApiException.unavailable(
              ErrorCode.OVERLOADED,
              "more than " + config.inFlightRequestsMax() + " requests in flight",
              ApiException.RETRY_AFTER_SECONDS_DEFAULT));
      record(ctx, startNanos);
      return;
    }
    ctx.addEndHandler(
        ignored -> {
          inFlight.decrementAndGet();
          record(ctx, startNanos);
        });
    ctx.next();
  }

  private void record(RoutingContext ctx, long startNanos) {
    String endpoint = ctx.get(ENDPOINT);
    int status = ctx.response().getStatusCode();
    // Looked up, not built, per request: the endpoints and statuses are few and fixed.
    timers
        .computeIfAbsent(
            endpoint + ' ' + status,
            ignored ->
                Timer.builder("meridian.http.requests")
                    .description("HTTP requests by endpoint and status")
                    .tag("endpoint", endpoint)
                    .tag("status", Integer.toString(status))
                    .register(registry))
        .record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
  }

  private void addSessionHeader(RoutingContext ctx) {
    SessionToken token = ctx.get(RESPONSE_SESSION);
    if (token == null) {
      token = SessionToken.empty();
      List<String> sent = ctx.request().headers().getAll(SessionHeaders.SESSION);
      if (sent.size() == 1) {
        try {
          token = SessionTokenCodec.decode(sent.get(0), config.sessionTokenCharactersMax());
        } catch (DecodeException e) {
          // A garbage token is answered with a new one.
        }
      }
    }
    ctx.response().headers().set(SessionHeaders.SESSION, SessionTokenCodec.encode(token));
  }

  private void endpoint(RoutingContext ctx, String name, EndpointHandler handler) {
    ctx.put(ENDPOINT, name);
    try {
      handler.handle(ctx);
    } catch (ApiException e) {
      sendError(ctx, e);
    }
  }

  @FunctionalInterface
  private interface EndpointHandler {
    void handle(RoutingContext ctx);
  }

  // ---- endpoints without data

  private void live(RoutingContext ctx) {
    sendJson(ctx, 200, NODES.objectNode().put("status", "live"));
  }

  private void ready(RoutingContext ctx) {
    boolean ready = service.ready();
    sendJson(
        ctx, ready ? 200 : 503, NODES.objectNode().put("status", ready ? "ready" : "starting"));
  }

  private void metrics(RoutingContext ctx) {
    ctx.response().putHeader("Content-Type", PROMETHEUS_CONTENT_TYPE).end(registry.scrape());
  }

  private void status(RoutingContext ctx) {
    respond(ctx, service.status().map(body -> new RegionResponse(body, SessionToken.empty())));
  }

  // ---- endpoints with data

  private void objectEndpoints(RoutingContext ctx) {
    String rawPath = ctx.request().path();
    if (rawPath == null || !rawPath.startsWith(BUCKETS_PREFIX)) {
      ctx.next();
      return;
    }
    String[] parts = rawPath.substring(BUCKETS_PREFIX.length()).split("/", -1);
    HttpMethod method = ctx.request().method();
    if (parts.length == 2 && parts[1].equals("watch") && method.equals(HttpMethod.GET)) {
      endpoint(
          ctx,
          "GET /v1/buckets/{bucket}/watch",
          c ->
              watches.handle(
                  c,
                  ObjectNames.decodeSegment(parts[0], "bucket", config.nameBytesMax()),
                  requestContext(c)));
      return;
    }
    boolean shaped = parts.length == 3 && parts[1].equals("keys");
    if (!shaped || !(method.equals(HttpMethod.GET) || method.equals(HttpMethod.POST))) {
      sendError(ctx, ApiException.of(ErrorCode.NOT_FOUND, "no such route"));
      return;
    }
    if (method.equals(HttpMethod.GET)) {
      endpoint(
          ctx,
          "GET /v1/buckets/{bucket}/keys/{key}",
          c -> {
            String bucket = ObjectNames.decodeSegment(parts[0], "bucket", config.nameBytesMax());
            String key = ObjectNames.decodeSegment(parts[2], "key", config.nameBytesMax());
            RequestContext context = requestContext(c);
            respond(c, service.readKey(context, bucket, key));
          });
    } else {
      endpoint(
          ctx,
          "POST /v1/buckets/{bucket}/keys/{key}",
          c -> {
            requireJsonContentType(c);
            String bucket = ObjectNames.decodeSegment(parts[0], "bucket", config.nameBytesMax());
            String key = ObjectNames.decodeSegment(parts[2], "key", config.nameBytesMax());
            RequestContext context = requestContext(c);
            ObjectNode body = jsonBody(c);
            boolean minimal = prefersMinimal(c.request().headers().getAll(PREFER));
            respond(c, service.updateKey(context, bucket, key, body, minimal));
          });
    }
  }

  private void batch(RoutingContext ctx) {
    requireJsonContentType(ctx);
    RequestContext context = requestContext(ctx);
    respond(ctx, service.batch(context, jsonBody(ctx)));
  }

  private void read(RoutingContext ctx) {
    requireJsonContentType(ctx);
    RequestContext context = requestContext(ctx);
    respond(ctx, service.read(context, jsonBody(ctx)));
  }

  // ---- request checks

  /** Parses the session headers; remembers the token so that errors carry it back. */
  static RequestContext parseRequestContext(
      List<String> sessions, List<String> guarantees, List<String> waits, int tokenCharactersMax) {
    try {
      SessionToken token = SessionToken.empty();
      boolean tokenSent = !sessions.isEmpty();
      if (sessions.size() > 1 || guarantees.size() > 1 || waits.size() > 1) {
        throw ApiException.badRequest("a session header appears more than once");
      }
      if (tokenSent) {
        token = SessionTokenCodec.decode(sessions.get(0), tokenCharactersMax);
      }
      Set<Guarantee> chosen =
          SessionHeaders.parseGuarantees(
              guarantees.isEmpty() ? null : guarantees.get(0), tokenSent);
      long waitMillis = SessionHeaders.parseWaitMillis(waits.isEmpty() ? null : waits.get(0));
      return new RequestContext(token, tokenSent, chosen, waitMillis);
    } catch (DecodeException e) {
      throw ApiException.badRequest(e.getMessage());
    }
  }

  private RequestContext requestContext(RoutingContext ctx) {
    var headers = ctx.request().headers();
    RequestContext context =
        parseRequestContext(
            headers.getAll(SessionHeaders.SESSION),
            headers.getAll(SessionHeaders.GUARANTEES),
            headers.getAll(SessionHeaders.WAIT),
            config.sessionTokenCharactersMax());
    ctx.put(RESPONSE_SESSION, context.session());
    return context;
  }

  /**
   * True when one of the {@code Prefer} headers (RFC 7240: comma-separated preferences, each with
   * optional {@code ;} parameters) asks for {@code return=minimal}; anything else in them is
   * ignored, as the RFC requires of preferences a server does not know.
   */
  static boolean prefersMinimal(List<String> preferHeaders) {
    for (String header : preferHeaders) {
      for (String preference : header.split(",", -1)) {
        int parameters = preference.indexOf(';');
        String token = (parameters < 0 ? preference : preference.substring(0, parameters)).strip();
        int equals = token.indexOf('=');
        if (equals > 0
            && token.substring(0, equals).strip().equalsIgnoreCase("return")
            && unquoted(token.substring(equals + 1).strip()).equalsIgnoreCase("minimal")) {
          return true;
        }
      }
    }
    return false;
  }

  private static String unquoted(String value) {
    return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
        ? value.substring(1, value.length() - 1)
        : value;
  }

  /** True when {@code contentType} is {@code application/json}, with at most a UTF-8 charset. */
  static boolean isJsonContentType(String contentType) {
    if (contentType == null) {
      return false;
    }
    String[] parts = contentType.split(";", -1);
    if (!parts[0].strip().equalsIgnoreCase("application/json")) {
      return false;
    }
    for (int i = 1; i < parts.length; i++) {
      String parameter = parts[i].strip();
      int equals = parameter.indexOf('=');
      if (equals < 0) {
        return false;
      }
      String name = parameter.substring(0, equals).strip().toLowerCase(Locale.ROOT);
      String value = unquoted(parameter.substring(equals + 1).strip());
      if (!name.equals("charset") || !value.equalsIgnoreCase("utf-8")) {
        return false;
      }
    }
    return true;
  }

  private static void requireJsonContentType(RoutingContext ctx) {
    List<String> types = ctx.request().headers().getAll("Content-Type");
    if (types.size() != 1 || !isJsonContentType(types.get(0))) {
      throw ApiException.of(
          ErrorCode.UNSUPPORTED_MEDIA_TYPE, "the body must be application/json (UTF-8)");
    }
  }

  /** The body parsed, once: the tree the service reads. */
  private static ObjectNode jsonBody(RoutingContext ctx) {
    Buffer buffer = ctx.body().buffer();
    if (buffer == null || buffer.length() == 0) {
      throw ApiException.badRequest("the body is empty; a JSON object is expected");
    }
    JsonNode value;
    try {
      value = JSON.readTree(buffer.getBytes());
    } catch (IOException | RuntimeException e) {
      throw ApiException.badRequest("the body is not valid JSON");
    }
    if (!(value instanceof ObjectNode object)) {
      throw ApiException.badRequest("the body must be a JSON object");
    }
    return object;
  }

  // ---- responses

  private void respond(RoutingContext ctx, Future<RegionResponse> future) {
    future.onComplete(
        result -> {
          if (ctx.response().ended() || ctx.response().closed()) {
            return;
          }
          if (result.succeeded()) {
            RegionResponse response = result.result();
            ctx.put(RESPONSE_SESSION, response.session());
            if (response.minimal()) {
              ctx.response().putHeader(PREFERENCE_APPLIED, RETURN_MINIMAL);
            }
            if (response.rendered() != null) {
              send(ctx, 200, response.rendered());
            } else {
              sendJson(ctx, 200, response.body());
            }
          } else if (result.cause() instanceof ApiException e) {
            sendError(ctx, e);
          } else {
            sendError(ctx, ApiException.of(ErrorCode.INTERNAL, "internal error"));
          }
        });
  }

  private void failure(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof ApiException e) {
      sendError(ctx, e);
      return;
    }
    ApiException error =
        switch (ctx.statusCode()) {
          case 413 ->
              ApiException.of(
                  ErrorCode.TOO_LARGE, "the body is over " + config.bodyBytesMax() + " bytes");
          case 400 -> ApiException.badRequest("malformed request");
          case 404, 405 -> ApiException.of(ErrorCode.NOT_FOUND, "no such route");
          case 415 -> ApiException.of(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "unsupported media type");
          default -> ApiException.of(ErrorCode.INTERNAL, "internal error");
        };
    sendError(ctx, error);
  }

  private static void sendError(RoutingContext ctx, ApiException error) {
    if (ctx.response().ended() || ctx.response().closed()) {
      return;
    }
    ObjectNode body = NODES.objectNode();
    ObjectNode detail =
        body.putObject("error")
            .put("code", error.code().wireName())
            .put("message", error.getMessage());
    error.index().ifPresent(index -> detail.put("index", index));
    error
        .retryAfterSeconds()
        .ifPresent(seconds -> ctx.response().putHeader("Retry-After", Long.toString(seconds)));
    sendJson(ctx, error.code().status(), body);
  }

  /** Writes {@code body} to bytes, the one time an answer is converted. */
  private static void sendJson(RoutingContext ctx, int status, JsonNode body) {
    byte[] bytes;
    try {
      bytes = JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree that cannot be written: " + e, e);
    }
    send(ctx, status, Buffer.buffer(bytes));
  }

  private static void send(RoutingContext ctx, int status, Buffer json) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", JSON_CONTENT_TYPE).end(json);
  }
}
