package io.meridian.server.auth;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.server.http.ApiException;
import io.meridian.server.http.ErrorCode;
import io.meridian.server.http.ObjectNames;
import io.meridian.server.http.RequestGuard;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * Admits the clients of one region's HTTP API (API "Authentication"; store-server README,
 * "Limits"): a {@link RequestGuard} for the router and a connection handler for the server.
 *
 * <ul>
 *   <li>Authentication: with a token file, every request but {@code /health/*} carries {@code
 *       Authorization: Bearer TOKEN}; none, a malformed one or an unknown token is {@code 401
 *       unauthorized} with {@code WWW-Authenticate: Bearer}.
 *   <li>Scopes: the bucket of an object path or of a change stream, every bucket of a batch or a
 *       snapshot read (refused whole), {@code admin} for {@code /v1/status} and {@code /metrics}
 *       (unless opened for a scraper); outside them {@code 403 forbidden}, decided before anything
 *       is looked up, so neither answer tells whether a bucket or key exists.
 *   <li>Bounds: requests in flight per token ({@code 503 overloaded}, {@code Retry-After}); per
 *       connection through HTTP/2's {@code SETTINGS_MAX_CONCURRENT_STREAMS} (HTTP/1.1 serves one
 *       request at a time); a connection that has not delivered a request's headers within the
 *       header deadline, or a body within the body deadline, is closed; request heads over the
 *       bound are refused by the HTTP codec (431, or 414 for the request line).
 * </ul>
 *
 * Refusals are counted in {@code meridian_auth_refusals_total{reason}} (missing, malformed,
 * unknown, forbidden), in-flight refusals in {@code meridian_client_overloaded_total{bound}},
 * closed connections in {@code meridian_client_deadline_closes_total{phase}}.
 */
public final class ClientGuard implements RequestGuard, AutoCloseable {
  /** How often the token file is looked at: a change is in force within 5 seconds. */
  public static final long RELOAD_INTERVAL_MILLIS = 2_000;

  /** The longest {@code Authorization} header value accepted. */
  public static final int AUTHORIZATION_CHARACTERS_MAX = 4_096;

  private static final Logger LOG = Logger.getLogger(ClientGuard.class.getName());
  private static final String BUCKETS_PREFIX = "/v1/buckets/";
  private static final String TOKEN = "meridian.auth.token";
  private static final String BODY_TIMER = "meridian.auth.bodyTimer";

  /**
   * RFC 6750's {@code b64token} after the scheme {@code Bearer} (any case) and one space or more.
   */
  private static final Pattern BEARER = Pattern.compile("(?i:bearer) +([A-Za-z0-9\\-._~+/]+=*)");

  /** The router's strictness, so the buckets read here are the ones the service will read. */
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private final Vertx vertx;
  private final ClientAuthConfig config;
  private final int nameBytesMax;
  private final Optional<TokenStore> store;
  private final Map<String, AtomicInteger> inFlightByToken = new ConcurrentHashMap<>();
  private final Map<HttpConnection, ConnectionState> connections = new ConcurrentHashMap<>();
  private final Map<String, Counter> refusals = new ConcurrentHashMap<>();
  private final MeterRegistry registry;
  private final Counter overloadedByToken;
  private final Counter headerDeadlineCloses;
  private final Counter bodyDeadlineCloses;
  private final Runnable hangup;
  private final long reloadTimer;

  private ClientGuard(
      Vertx vertx, ClientAuthConfig config, int nameBytesMax, MeterRegistry registry) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.config = Objects.requireNonNull(config, "config");
    this.nameBytesMax = nameBytesMax;
    this.registry = registry;
    this.store = config.tokenFile().map(file -> TokenStore.open(file, registry));
    this.overloadedByToken =
        Counter.builder("meridian.client.overloaded")
            .description("requests refused over a per-client in-flight bound")
            .tag("bound", "token")
            .register(registry);
    this.headerDeadlineCloses =
        Counter.builder("meridian.client.deadline.closes")
            .description("connections closed for missing a read deadline")
            .tag("phase", "header")
            .register(registry);
    this.bodyDeadlineCloses =
        Counter.builder("meridian.client.deadline.closes").tag("phase", "body").register(registry);
    for (String reason : List.of("missing", "malformed", "unknown", "forbidden")) {
      refusal(reason);
    }
    if (store.isPresent()) {
      TokenStore tokens = store.get();
      hangup = tokens::reload;
      HangupSignal.add(hangup);
      reloadTimer =
          vertx.setPeriodic(
              RELOAD_INTERVAL_MILLIS, id -> vertx.executeBlocking(tokens::reload, false));
    } else {
      hangup = null;
      reloadTimer = -1;
    }
  }

  /**
   * The guard of a region: reads the token file (if one is configured) and starts watching it.
   *
   * @param nameBytesMax the longest bucket name the API accepts (as {@code HttpApiConfig})
   * @throws IllegalArgumentException when the token file cannot be read or parsed
   */
  public static ClientGuard start(
      Vertx vertx, ClientAuthConfig config, int nameBytesMax, MeterRegistry registry) {
    return new ClientGuard(vertx, config, nameBytesMax, registry);
  }

  /** The token store, when the API is authenticated. */
  public Optional<TokenStore> tokens() {
    return store;
  }

  /**
   * {@code options} with this guard's bounds on request heads and HTTP/2 streams. Cleartext HTTP/2
   * (h2c) is off unless configured: while it is on, Vert.x makes a connection known to the server
   * only once the first request head is decoded, so a connection that never completes one escapes
   * the header deadline.
   */
  public HttpServerOptions apply(HttpServerOptions options) {
    ClientBounds bounds = config.bounds();
    Http2Settings settings =
        new Http2Settings(options.getInitialSettings())
            .setMaxConcurrentStreams(bounds.inFlightPerConnectionMax())
            .setMaxHeaderListSize(bounds.headerBytesMax());
    return options
        .setMaxHeaderSize(bounds.headerBytesMax())
        .setMaxInitialLineLength(Math.min(bounds.headerBytesMax(), 8_192))
        .setInitialSettings(settings)
        .setHttp2ClearTextEnabled(config.cleartextHttp2());
  }

  // ------------------------------------------------------------------ connections

  /** The server's connection handler: starts the header deadline of a new connection. */
  public void connected(HttpConnection connection) {
    ConnectionState state = new ConnectionState(connection);
    connections.put(connection, state);
    connection.closeHandler(
        closed -> {
          state.disarm();
          connections.remove(connection);
        });
    state.arm();
  }

  /**
   * One connection's requests in flight and its header deadline, touched only on the connection's
   * event loop.
   */
  private final class ConnectionState {
    private final HttpConnection connection;
    private int inFlight;
    private long timer = -1;

    ConnectionState(HttpConnection connection) {
      this.connection = connection;
    }

    void arm() {
      disarm();
      timer =
          vertx.setTimer(
              config.bounds().headerReadMillisMax(),
              id -> {
                timer = -1;
                if (inFlight == 0) {
                  headerDeadlineCloses.increment();
                  connection.close();
                }
              });
    }

    void disarm() {
      if (timer >= 0) {
        vertx.cancelTimer(timer);
        timer = -1;
      }
    }

    void began() {
      inFlight++;
      disarm();
    }

    void ended() {
      if (--inFlight == 0) {
        arm();
      }
    }
  }

  // ------------------------------------------------------------------ requests

  @Override
  public void beforeBody(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    ConnectionState connection = connections.get(request.connection());
    if (connection != null) {
      connection.began();
      ctx.addEndHandler(ended -> connection.ended());
    }
    Requirement requirement = requirement(ctx);
    ApiToken token = null;
    if (store.isPresent() && requirement.kind() != Kind.OPEN) {
      token = authenticate(ctx);
      if (token == null) {
        return;
      }
      if (!inFlightForToken(ctx, token)) {
        return;
      }
      if (requirement.kind() == Kind.ADMIN && !token.grants().admin()) {
        forbid(ctx, "the token has no admin scope");
        return;
      }
      if (requirement.kind() == Kind.BUCKET) {
        String bucket;
        try {
          bucket = ObjectNames.decodeSegment(requirement.rawBucket(), "bucket", nameBytesMax);
        } catch (ApiException e) {
          ctx.fail(e);
          return;
        }
        if (!token.grants().allows(requirement.access(), bucket)) {
          forbid(ctx, "the token may not " + verb(requirement.access()) + " this bucket");
          return;
        }
      }
      ctx.put(TOKEN, token);
    }
    armBodyDeadline(ctx);
    ctx.next();
  }

  @Override
  public void afterBody(RoutingContext ctx) {
    Long timer = ctx.get(BODY_TIMER);
    if (timer != null) {
      vertx.cancelTimer(timer);
    }
    ApiToken token = ctx.get(TOKEN);
    Requirement requirement = requirement(ctx);
    if (token != null
        && requirement.kind() == Kind.BODY
        && !token.grants().allowsEveryBucket(requirement.access())
        && !bodyBucketsAllowed(ctx, token.grants(), requirement)) {
      forbid(
          ctx,
          "the token may not "
              + verb(requirement.access())
              + " every bucket the request names; nothing was done");
      return;
    }
    ctx.next();
  }

  /** What a request needs, from its method and path (the body's buckets come later). */
  private Requirement requirement(RoutingContext ctx) {
    String raw = ctx.request().path();
    HttpMethod method = ctx.request().method();
    if (raw != null && raw.startsWith(BUCKETS_PREFIX)) {
      String rest = raw.substring(BUCKETS_PREFIX.length());
      int slash = rest.indexOf('/');
      String bucket = slash < 0 ? rest : rest.substring(0, slash);
      return new Requirement(
          Kind.BUCKET, method.equals(HttpMethod.POST) ? Access.WRITE : Access.READ, bucket);
    }
    String path = ctx.normalizedPath();
    if (path.equals("/health/live") || path.equals("/health/ready")) {
      return new Requirement(Kind.OPEN, Access.READ, null);
    }
    if (path.equals("/metrics") || path.equals("/v1/status")) {
      return new Requirement(config.metricsOpen() ? Kind.OPEN : Kind.ADMIN, Access.ADMIN, null);
    }
    if (method.equals(HttpMethod.POST) && path.equals("/v1/batch")) {
      return new Requirement(Kind.BODY, Access.WRITE, "updates");
    }
    if (method.equals(HttpMethod.POST) && path.equals("/v1/read")) {
      return new Requirement(Kind.BODY, Access.READ, "keys");
    }
    return new Requirement(Kind.AUTHENTICATED, Access.READ, null);
  }

  private enum Kind {
    OPEN,
    AUTHENTICATED,
    ADMIN,
    BUCKET,
    BODY
  }

  /**
   * @param rawBucket for {@link Kind#BUCKET}, the bucket's path segment as sent; for {@link
   *     Kind#BODY}, the body's field listing the items
   */
  private record Requirement(Kind kind, Access access, String rawBucket) {}

  private ApiToken authenticate(RoutingContext ctx) {
    List<String> headers = ctx.request().headers().getAll("Authorization");
    if (headers.isEmpty()) {
      unauthorized(ctx, "missing", "Bearer", "an Authorization: Bearer token is required");
      return null;
    }
    String value = headers.get(0);
    var bearer = value.length() > AUTHORIZATION_CHARACTERS_MAX ? null : BEARER.matcher(value);
    if (headers.size() > 1 || bearer == null || !bearer.matches()) {
      unauthorized(
          ctx,
          "malformed",
          "Bearer error=\"invalid_request\"",
          "the Authorization header must be one 'Bearer TOKEN'");
      return null;
    }
    Optional<ApiToken> token = store.orElseThrow().find(TokenFile.sha256(bearer.group(1)));
    if (token.isEmpty()) {
      unauthorized(ctx, "unknown", "Bearer error=\"invalid_token\"", "unknown token");
      return null;
    }
    return token.get();
  }

  private boolean inFlightForToken(RoutingContext ctx, ApiToken token) {
    AtomicInteger count =
        inFlightByToken.computeIfAbsent(token.name(), name -> new AtomicInteger());
    int most = config.bounds().inFlightPerTokenMax();
    if (count.incrementAndGet() > most) {
      count.decrementAndGet();
      overloadedByToken.increment();
      ctx.fail(
          ApiException.unavailable(
              ErrorCode.OVERLOADED,
              "more than " + most + " requests in flight for this token",
              ApiException.RETRY_AFTER_SECONDS_DEFAULT));
      return false;
    }
    ctx.addEndHandler(ended -> count.decrementAndGet());
    return true;
  }

  /**
   * Whether every bucket the body names is in scope. A body the service would refuse (not JSON, not
   * an object, items of the wrong shape) passes: the service refuses it whole with a 400, nothing
   * applied, and it names no bucket; an item's bucket is read as the service reads it (the last of
   * duplicate fields, a string only).
   */
  private boolean bodyBucketsAllowed(RoutingContext ctx, Grants grants, Requirement requirement) {
    Buffer buffer = ctx.body().buffer();
    if (buffer == null || buffer.length() == 0) {
      return true;
    }
    JsonNode body;
    try {
      body = JSON.readTree(buffer.getBytes());
    } catch (IOException | RuntimeException e) {
      return true;
    }
    JsonNode items = body == null ? null : body.get(requirement.rawBucket());
    if (items == null || !items.isArray()) {
      return true;
    }
    for (JsonNode item : items) {
      JsonNode bucket = item.isObject() ? item.get("bucket") : null;
      if (bucket != null
          && bucket.isTextual()
          && !grants.allows(requirement.access(), bucket.asText())) {
        return false;
      }
    }
    return true;
  }

  private void armBodyDeadline(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String length = request.getHeader("Content-Length");
    boolean body =
        request.getHeader("Transfer-Encoding") != null
            || (length != null && !length.strip().equals("0"))
            || request.version() == HttpVersion.HTTP_2 && !request.isEnded();
    if (!body || request.isEnded()) {
      return;
    }
    long timer =
        vertx.setTimer(
            config.bounds().bodyReadMillisMax(),
            id -> {
              if (!ctx.response().ended() && !ctx.response().closed()) {
                bodyDeadlineCloses.increment();
                if (request.version() == HttpVersion.HTTP_2) {
                  ctx.response().reset();
                } else {
                  request.connection().close();
                }
              }
            });
    ctx.put(BODY_TIMER, timer);
    ctx.addEndHandler(ended -> vertx.cancelTimer(timer));
  }

  private void unauthorized(RoutingContext ctx, String reason, String challenge, String message) {
    refusal(reason).increment();
    ctx.response().putHeader("WWW-Authenticate", challenge);
    ctx.fail(ApiException.of(ErrorCode.UNAUTHORIZED, message));
  }

  private void forbid(RoutingContext ctx, String message) {
    refusal("forbidden").increment();
    ctx.fail(ApiException.of(ErrorCode.FORBIDDEN, message));
  }

  private Counter refusal(String reason) {
    return refusals.computeIfAbsent(
        reason,
        r ->
            Counter.builder("meridian.auth.refusals")
                .description("requests refused by authentication or scope, by reason")
                .tag("reason", r)
                .register(registry));
  }

  private static String verb(Access access) {
    return access.name().toLowerCase(Locale.ROOT);
  }

  /** Stops watching the token file. */
  @Override
  public void close() {
    if (reloadTimer >= 0) {
      vertx.cancelTimer(reloadTimer);
    }
    if (hangup != null) {
      HangupSignal.remove(hangup);
    }
  }

  /** Says loudly that the API is open, when it is. */
  public void warnIfOpen(String region) {
    if (store.isEmpty()) {
      LOG.warning("region " + region + ": the HTTP API is OPEN (no --api-tokens)");
    }
  }
}
