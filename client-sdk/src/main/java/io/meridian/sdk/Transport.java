package io.meridian.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.clocks.DecodeException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

/**
 * The HTTP side of the client: one JDK {@link HttpClient}, the session headers on every request,
 * failover between regions and a circuit breaker per region.
 *
 * <p>A call tries the regions in preference order (home first, then the others in the order they
 * were configured), skipping every region that is backing off, and tries each at most once, all
 * within the call's timeout: a bounded pass, never a retry storm. A region that cannot be reached,
 * answers 5xx (a 503 included: it could not meet the session within its wait, or it sheds load)
 * backs off for a pause that doubles per consecutive failure up to a maximum, with jitter; a
 * success closes its breaker. Home is tried first again as soon as its pause is over, so the client
 * returns home once home answers. Moving to another region carries the session token, so that
 * region serves nothing older than what the session saw (Cosmos DB's session-token loop, where the
 * client kept routing to the lagging region, azure-sdk-for-rust#4578, is what the per-region pause
 * prevents).
 */
final class Transport {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SESSION_HEADER = "Meridian-Session";

  /** An answer the caller acts on: a success, or a {@code not_found} of a key read. */
  record Answer(String region, int status, JsonNode body) {
    boolean found() {
      return status != 404;
    }
  }

  /** One region's breaker, as {@link SyncStatus} shows it. */
  record Health(
      boolean reachable, int consecutiveFailures, long pausedUntilMillis, String lastError) {}

  private final ClientConfig config;
  private final Session session;
  private final HttpClient http;
  private final LongSupplier clockMillis;
  private final Runnable onHealthChange;
  private final Map<String, Breaker> breakers = new LinkedHashMap<>();
  private final List<String> preference = new ArrayList<>();

  private static final class Breaker {
    int consecutiveFailures;
    long pausedUntilMillis;
    String lastError;
  }

  Transport(
      ClientConfig config, Session session, LongSupplier clockMillis, Runnable onHealthChange) {
    this.config = config;
    this.session = session;
    this.clockMillis = clockMillis;
    this.onHealthChange = onHealthChange;
    HttpClient.Builder client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(config.connectTimeout());
    if (config.caFile() != null) {
      client.sslContext(TrustedCertificates.sslContext(config.caFile()));
    }
    this.http = client.build();
    preference.add(config.home());
    for (String region : config.regions().keySet()) {
      breakers.put(region, new Breaker());
      if (!region.equals(config.home())) {
        preference.add(region);
      }
    }
  }

  /**
   * Sends a request with the session headers to the first region that serves it.
   *
   * @param body the JSON body, or null for a GET
   * @throws MeridianException.Unavailable when no region served it within the timeout
   * @throws MeridianException.Overloaded when every region tried shed load
   * @throws MeridianException a rejection (bad request, type mismatch, ...) from the region
   */
  Answer call(String path, JsonNode body) {
    long deadline = clockMillis.getAsLong() + config.requestTimeout().toMillis();
    List<String> failures = new ArrayList<>();
    MeridianException.Overloaded overloaded = null;
    for (String region : preference) {
      long remaining = deadline - clockMillis.getAsLong();
      if (remaining <= 0) {
        failures.add("out of time");
        break;
      }
      if (!allowed(region)) {
        failures.add(region + " backing off");
        continue;
      }
      Attempt attempt = attempt(region, path, body, remaining, true);
      if (attempt.answer != null) {
        return attempt.answer;
      }
      if (attempt.rejection instanceof MeridianException.Overloaded shed) {
        overloaded = shed;
      } else if (attempt.rejection != null) {
        throw attempt.rejection;
      }
      failures.add(region + ": " + attempt.failure);
    }
    if (overloaded != null && failures.size() == 1) {
      throw overloaded;
    }
    throw new MeridianException.Unavailable("no region served the call: " + failures, null);
  }

  /** A GET of one region without the session (the status endpoint), no failover. */
  JsonNode status(String region) {
    Attempt attempt =
        attempt(region, "/v1/status", null, config.requestTimeout().toMillis(), false);
    if (attempt.answer != null) {
      return attempt.answer.body;
    }
    if (attempt.rejection != null) {
      throw attempt.rejection;
    }
    throw new MeridianException.Unavailable(region + ": " + attempt.failure, null);
  }

  /** When the earliest paused region may be tried again (now, if one may be tried now). */
  long nextAttemptMillis() {
    long now = clockMillis.getAsLong();
    long earliest = Long.MAX_VALUE;
    synchronized (breakers) {
      for (Breaker breaker : breakers.values()) {
        earliest = Math.min(earliest, Math.max(now, breaker.pausedUntilMillis));
      }
    }
    return earliest;
  }

  /** Every region's breaker, in configuration order. */
  Map<String, Health> health() {
    Map<String, Health> health = new LinkedHashMap<>();
    synchronized (breakers) {
      breakers.forEach(
          (region, breaker) ->
              health.put(
                  region,
                  new Health(
                      breaker.consecutiveFailures == 0,
                      breaker.consecutiveFailures,
                      breaker.pausedUntilMillis,
                      breaker.lastError)));
    }
    return health;
  }

  private boolean allowed(String region) {
    synchronized (breakers) {
      return clockMillis.getAsLong() >= breakers.get(region).pausedUntilMillis;
    }
  }

  /** The outcome of one request to one region: an answer, a rejection, or a failure to move on. */
  private record Attempt(Answer answer, MeridianException rejection, String failure) {}

  private Attempt attempt(
      String region, String path, JsonNode body, long timeoutMillis, boolean withSession) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(config.regions().get(region) + path))
            .timeout(Duration.ofMillis(timeoutMillis));
    if (body == null) {
      request.GET();
    } else {
      request
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
    }
    headers(request, withSession, timeoutMillis);
    HttpResponse<byte[]> response;
    try {
      // Bytes, parsed as UTF-8 by Jackson: no String of the body is made (a batch's answer holds
      // one object per update).
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      return failed(region, e.getClass().getSimpleName() + " " + e.getMessage(), 0);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MeridianException.Unavailable("interrupted", e);
    }
    if (withSession) {
      String token = response.headers().firstValue(SESSION_HEADER).orElse(null);
      if (token != null) {
        try {
          session.merge(token);
        } catch (DecodeException e) {
          return failed(region, "unreadable session token: " + e.getMessage(), 0);
        }
      }
    }
    int status = response.statusCode();
    JsonNode json = parse(response.body());
    if (status / 100 == 2 || (status == 404 && body == null && isNotFound(json))) {
      succeeded(region);
      return new Attempt(new Answer(region, status, json), null, null);
    }
    String message = errorMessage(json, status);
    long retryAfterSeconds =
        response.headers().firstValue("Retry-After").map(Transport::seconds).orElse(0L);
    if (status >= 500 || status == 429) {
      Attempt failure = failed(region, status + " " + message, retryAfterSeconds);
      if ("overloaded".equals(errorCode(json))) {
        return new Attempt(
            null,
            new MeridianException.Overloaded(
                message, region, Duration.ofSeconds(Math.max(1, retryAfterSeconds))),
            failure.failure);
      }
      return failure;
    }
    succeeded(region);
    return new Attempt(null, rejection(status, message, region), null);
  }

  private void headers(HttpRequest.Builder request, boolean withSession, long timeoutMillis) {
    if (config.apiToken() != null) {
      request.header("Authorization", "Bearer " + config.apiToken());
    }
    if (withSession) {
      String token = session.token();
      if (token != null) {
        request.header(SESSION_HEADER, token);
      }
      request.header("Meridian-Guarantees", Guarantee.header(config.guarantees()));
      request.header(
          "Meridian-Wait", Long.toString(Math.min(config.sessionWaitMillis(), timeoutMillis / 2)));
    }
  }

  /** The regions in the order a call tries them: home first. */
  List<String> preference() {
    return List.copyOf(preference);
  }

  /**
   * Opens a change stream ({@code GET .../watch}) at {@code region} with the session headers and,
   * to resume, the last event id; the caller reads the body and closes it. The timeout bounds the
   * wait for the answer's headers, not the stream.
   */
  HttpResponse<InputStream> openStream(String region, String path, String lastEventId)
      throws IOException, InterruptedException {
    long timeoutMillis = config.requestTimeout().toMillis();
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(config.regions().get(region) + path))
            .timeout(Duration.ofMillis(timeoutMillis))
            .header("Accept", "text/event-stream")
            .GET();
    headers(request, true, timeoutMillis);
    if (lastEventId != null) {
      request.header("Last-Event-ID", lastEventId);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
  }

  /** The error message of an answer that is not a success. */
  static String errorMessageOf(String body, int status) {
    return errorMessage(parse(body), status);
  }

  private static MeridianException rejection(int status, String message, String region) {
    return switch (status) {
      case 401 -> new MeridianException.Unauthorized(message, region);
      case 403 -> new MeridianException.Forbidden(message, region);
      case 409 ->
          message.startsWith("context_expired:")
              ? new MeridianException.ContextExpired(message, region)
              : new MeridianException.TypeMismatch(message, region);
      case 413 -> new MeridianException.TooLarge(message, region);
      default -> new MeridianException.BadRequest(status + " " + message, region);
    };
  }

  private void succeeded(String region) {
    boolean changed;
    synchronized (breakers) {
      Breaker breaker = breakers.get(region);
      changed = breaker.consecutiveFailures != 0;
      breaker.consecutiveFailures = 0;
      breaker.pausedUntilMillis = 0;
    }
    if (changed) {
      onHealthChange.run();
    }
  }

  private Attempt failed(String region, String failure, long retryAfterSeconds) {
    synchronized (breakers) {
      Breaker breaker = breakers.get(region);
      breaker.consecutiveFailures++;
      long pause =
          Math.min(
              config.backoffMaxMillis(),
              config.backoffMinMillis() << Math.min(20, breaker.consecutiveFailures - 1));
      // Jitter keeps many clients that lost the same region from returning in step.
      pause = pause / 2 + ThreadLocalRandom.current().nextLong(pause / 2 + 1);
      pause = Math.max(pause, Math.min(config.backoffMaxMillis(), retryAfterSeconds * 1000));
      breaker.pausedUntilMillis = clockMillis.getAsLong() + pause;
      breaker.lastError = failure;
    }
    onHealthChange.run();
    return new Attempt(null, null, failure);
  }

  private static long seconds(String value) {
    try {
      return Math.max(0, Long.parseLong(value.strip()));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static JsonNode parse(String body) {
    return parse(body == null ? null : body.getBytes(StandardCharsets.UTF_8));
  }

  private static JsonNode parse(byte[] body) {
    if (body == null || body.length == 0) {
      return JSON.createObjectNode();
    }
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      return JSON.createObjectNode().put("unparsed", new String(body, StandardCharsets.UTF_8));
    }
  }

  private static boolean isNotFound(JsonNode json) {
    return "not_found".equals(errorCode(json));
  }

  private static String errorCode(JsonNode json) {
    return json.path("error").path("code").asText(null);
  }

  private static String errorMessage(JsonNode json, int status) {
    JsonNode error = json.path("error");
    if (error.isObject()) {
      String text = error.path("code").asText("") + ": " + error.path("message").asText("");
      return error.has("index") ? text + " (index " + error.get("index").asInt() + ")" : text;
    }
    return "HTTP " + status;
  }

  /** The path of a key: bucket and key percent-encoded as UTF-8, every byte but the unreserved. */
  /** {@code GET /v1/buckets/{bucket}/watch?key=K}'s path and query, percent-encoded. */
  static String watchPath(String bucket, Collection<String> keys) {
    StringBuilder path =
        new StringBuilder("/v1/buckets/").append(percentEncode(bucket)).append("/watch");
    char separator = '?';
    for (String key : keys) {
      path.append(separator).append("key=").append(percentEncode(key));
      separator = '&';
    }
    return path.toString();
  }

  static String keyPath(String bucket, String key) {
    return "/v1/buckets/" + percentEncode(bucket) + "/keys/" + percentEncode(key);
  }

  private static String percentEncode(String text) {
    StringBuilder encoded = new StringBuilder();
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        encoded.append((char) c);
      } else {
        encoded.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)));
        encoded.append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return encoded.toString();
  }

  static URI requireBaseUri(String url) {
    URI uri = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
      throw new IllegalArgumentException("a region URL is http or https: " + url);
    }
    return uri;
  }
}
