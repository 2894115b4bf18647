package io.meridian.benchmarks.geo;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Raw HTTP calls to the regions (API.md): updates, reads and snapshot reads in the harness's
 * bucket, with the session headers. Each call returns an {@link Answer}; a call without an answer
 * (timeout, reset, region down) returns status 0.
 */
public final class RegionClient {
  /** The bucket every key of a run lives in. */
  public static final String BUCKET = "geo";

  private static final String SESSION = "Meridian-Session";
  private static final String GUARANTEES = "Meridian-Guarantees";

  private final HttpClient http;
  private final Map<String, String> baseUris;
  private final Duration requestTimeout;
  private final String bucket;

  /**
   * A client of the bucket {@link #BUCKET}.
   *
   * @param baseUris region name → {@code http://127.0.0.1:PORT}
   * @param requestTimeout how long a call waits for its answer before it counts as unanswered
   */
  public RegionClient(Map<String, String> baseUris, Duration requestTimeout) {
    this(baseUris, requestTimeout, BUCKET);
  }

  /**
   * @param baseUris region name → {@code http://127.0.0.1:PORT}
   * @param requestTimeout how long a call waits for its answer before it counts as unanswered
   * @param bucket the bucket every key of the calls lives in
   */
  public RegionClient(Map<String, String> baseUris, Duration requestTimeout, String bucket) {
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1))
            .build();
    this.baseUris = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(baseUris));
    this.requestTimeout = requestTimeout;
    this.bucket = bucket;
  }

  /**
   * @return region name → base URI, as given
   */
  public Map<String, String> baseUris() {
    return baseUris;
  }

  /**
   * @return how long a call waits for its answer
   */
  public Duration requestTimeout() {
    return requestTimeout;
  }

  /**
   * @return the bucket every key of the calls lives in
   */
  public String bucket() {
    return bucket;
  }

  /**
   * An answer: the HTTP status (0 without one), the JSON body, and the session token returned.
   *
   * @param status HTTP status or 0
   * @param body the parsed body, or null
   * @param token the {@code Meridian-Session} answered, or null
   */
  public record Answer(int status, JsonObject body, String token) {
    /**
     * @return whether the region answered 200
     */
    public boolean ok() {
      return status == 200;
    }
  }

  /**
   * Applies one update.
   *
   * @param region where
   * @param key the key
   * @param update the update's body ({@code type}, {@code op}, arguments, {@code id})
   * @param token the session token, or null
   * @param guarantees the {@code Meridian-Guarantees} to ask for when a token is sent
   * @return the answer
   */
  public CompletableFuture<Answer> update(
      String region, String key, JsonObject update, String token, String guarantees) {
    return send(
        region, "/v1/buckets/" + bucket + "/keys/" + encode(key), update, token, guarantees);
  }

  /**
   * Reads one key.
   *
   * @param region where
   * @param key the key
   * @param token the session token, or null
   * @param guarantees the guarantees to ask for when a token is sent
   * @return the answer (404 where the region has no such key)
   */
  public CompletableFuture<Answer> read(
      String region, String key, String token, String guarantees) {
    return send(region, "/v1/buckets/" + bucket + "/keys/" + encode(key), null, token, guarantees);
  }

  /**
   * Reads keys in one causally consistent snapshot ({@code POST /v1/read}).
   *
   * @param region where
   * @param keys the keys, at most 1,000
   * @param token the session token, or null
   * @param guarantees the guarantees to ask for when a token is sent
   * @return the answer
   */
  public CompletableFuture<Answer> snapshot(
      String region, List<String> keys, String token, String guarantees) {
    JsonArray names = new JsonArray();
    for (String key : keys) {
      names.add(new JsonObject().put("bucket", bucket).put("key", key));
    }
    return send(region, "/v1/read", new JsonObject().put("keys", names), token, guarantees);
  }

  /**
   * The values of a snapshot answer, one per key (null where not found).
   *
   * @param answer a 200 answer of {@link #snapshot}
   * @return the values in request order
   */
  public static List<Object> snapshotValues(Answer answer) {
    List<Object> values = new ArrayList<>();
    for (Object object : answer.body().getJsonArray("objects")) {
      JsonObject found = (JsonObject) object;
      values.add(found.getBoolean("found", true) ? plain(found.getValue("value")) : null);
    }
    return values;
  }

  /**
   * A JSON value in plain Java form: arrays as lists.
   *
   * @param value a value from a parsed body
   * @return the value, with a {@link JsonArray} turned into a list
   */
  public static Object plain(Object value) {
    return value instanceof JsonArray array ? array.getList() : value;
  }

  private CompletableFuture<Answer> send(
      String region, String path, JsonObject body, String token, String guarantees) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(baseUris.get(region) + path)).timeout(requestTimeout);
    if (body == null) {
      request.GET();
    } else {
      request
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body.encode()));
    }
    if (token != null) {
      request.header(SESSION, token).header(GUARANTEES, guarantees);
    }
    return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString())
        .handle(
            (response, error) -> {
              if (error != null) {
                return new Answer(0, null, null);
              }
              JsonObject parsed = null;
              String text = response.body();
              if (text != null && text.startsWith("{")) {
                parsed = new JsonObject(text);
              }
              return new Answer(
                  response.statusCode(),
                  parsed,
                  response.headers().firstValue(SESSION).orElse(null));
            });
  }

  private static String encode(String key) {
    return URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /**
   * Waits for a call.
   *
   * @param call the call
   * @return its answer, status 0 if it failed in the client
   */
  public static Answer await(CompletableFuture<Answer> call) {
    try {
      return call.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Answer(0, null, null);
    } catch (Exception e) {
      return new Answer(0, null, null);
    }
  }
}
