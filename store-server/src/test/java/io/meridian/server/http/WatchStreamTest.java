package io.meridian.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.clocks.VersionVector;
import io.meridian.server.session.SessionToken;
import io.meridian.server.session.SessionTokenCodec;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The change stream's HTTP side with tight bounds (2 streams, 3 keys per stream, 4 groups queued, 1
 * KiB unsent; heartbeats of a quiet stream) in front of a service the test drives: bad requests are
 * 4xx and reach no service, the stream limit answers 503, and a slow reader gets an {@code
 * overflow} event and is dropped (by the group bound, or by the byte bound when it does not read at
 * all).
 */
class WatchStreamTest {
  private static final WatchLimits LIMITS = new WatchLimits(2, 3, 4, 1024, 60_000);

  private final Vertx vertx = Vertx.vertx();
  private final DrivenService service = new DrivenService();
  private HttpServer server;

  /** A service whose watches the test feeds; every other endpoint is not there. */
  static final class DrivenService implements RegionService {
    final List<ChangeListener> listeners = new CopyOnWriteArrayList<>();
    final AtomicInteger stopped = new AtomicInteger();

    @Override
    public Future<WatchStart> watch(
        RequestContext context,
        String bucket,
        List<String> keys,
        SessionToken since,
        ChangeListener listener) {
      listeners.add(listener);
      return Future.succeededFuture(
          new WatchStart(List.of(), SessionToken.empty(), stopped::incrementAndGet));
    }

    @Override
    public Future<RegionResponse> readKey(RequestContext context, String bucket, String key) {
      return Future.failedFuture(ApiException.of(ErrorCode.NOT_FOUND, "none"));
    }

    @Override
    public Future<RegionResponse> updateKey(
        RequestContext context, String bucket, String key, ObjectNode body) {
      return Future.failedFuture(ApiException.of(ErrorCode.NOT_FOUND, "none"));
    }

    @Override
    public Future<RegionResponse> batch(RequestContext context, ObjectNode body) {
      return Future.failedFuture(ApiException.of(ErrorCode.NOT_FOUND, "none"));
    }

    @Override
    public Future<RegionResponse> read(RequestContext context, ObjectNode body) {
      return Future.failedFuture(ApiException.of(ErrorCode.NOT_FOUND, "none"));
    }

    @Override
    public Future<JsonNode> status() {
      return Future.succeededFuture(JsonNodeFactory.instance.objectNode());
    }

    @Override
    public boolean ready() {
      return true;
    }
  }

  @BeforeEach
  void start() throws Exception {
    server = serve(HttpApiConfig.defaults());
  }

  /** The API with {@link #LIMITS} in front of the driven service, on a port the system picks. */
  private HttpServer serve(HttpApiConfig config) throws Exception {
    return serve(config, LIMITS);
  }

  private HttpServer serve(HttpApiConfig config, WatchLimits limits) throws Exception {
    return vertx
        .createHttpServer()
        .requestHandler(
            HttpApi.router(
                vertx,
                service,
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                config,
                limits))
        .listen(0, "127.0.0.1")
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() {
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  private SseReader open(String path, Map<String, String> headers) {
    return new SseReader(server.actualPort(), path, headers);
  }

  private static JsonNode object(String key, int value, int padding) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("bucket", "b").put("key", key).put("type", "pn-counter").put("value", value);
    node.put("context", "x".repeat(padding));
    return node;
  }

  private static SessionToken token(long seq) {
    return SessionToken.of(VersionVector.empty(), VersionVector.of("r1", seq));
  }

  @Test
  void badRequestsAreClientErrorsAndReachNoService() {
    record Case(String path, Map<String, String> headers, int status, String code) {}
    List<Case> cases =
        List.of(
            new Case("/v1/buckets/b/watch", Map.of(), 400, "bad_request"),
            new Case("/v1/buckets/b/watch?key=a&key=b&key=c&key=d", Map.of(), 400, "bad_request"),
            new Case("/v1/buckets/b/watch?key=", Map.of(), 400, "bad_request"),
            new Case("/v1/buckets/b/watch?key=" + "k".repeat(300), Map.of(), 400, "bad_request"),
            new Case(
                "/v1/buckets/b/watch?key=a",
                Map.of(WatchStream.LAST_EVENT_ID, "not a token"),
                400,
                "bad_request"),
            new Case(
                "/v1/buckets/b/watch?key=a",
                Map.of("Meridian-Guarantees", "nonsense"),
                400,
                "bad_request"),
            new Case("/v1/buckets/b/watch/more?key=a", Map.of(), 404, "not_found"));
    for (Case bad : cases) {
      try (SseReader reader = open(bad.path(), bad.headers())) {
        assertThat(reader.status())
            .as(bad.path() + " " + reader.errorBody())
            .isEqualTo(bad.status());
        assertThat(reader.errorCode()).isEqualTo(bad.code());
      }
    }
    assertThat(service.listeners).isEmpty();
  }

  @Test
  void groupsAreWrittenInOrderTheLastEventOfEachCarryingTheToken() {
    try (SseReader reader = open("/v1/buckets/b/watch?key=a&key=b", Map.of())) {
      assertThat(reader.status()).isEqualTo(200);
      SseReader.Event ready = reader.next();
      assertThat(ready.event()).isEqualTo("ready");
      ChangeListener listener = service.listeners.get(0);
      assertThat(listener.offer(() -> List.of(object("a", 1, 0), object("b", 1, 0)), token(1)))
          .isTrue();
      assertThat(listener.offer(() -> List.of(object("a", 2, 0)), token(2))).isTrue();
      SseReader.Event first = reader.next();
      SseReader.Event second = reader.next();
      SseReader.Event third = reader.next();
      assertThat(first.json().get("key").asText()).isEqualTo("a");
      assertThat(first.id()).isNull();
      assertThat(second.json().get("key").asText()).isEqualTo("b");
      assertThat(SessionTokenCodec.decode(second.id())).isEqualTo(token(1));
      assertThat(third.json().get("value").asInt()).isEqualTo(2);
      assertThat(SessionTokenCodec.decode(third.id())).isEqualTo(token(2));
    }
  }

  @Test
  void oneStreamPastTheLimitIsOverloadedAndAClosedStreamFreesItsPlace() throws Exception {
    SseReader first = open("/v1/buckets/b/watch?key=a", Map.of());
    try (SseReader second = open("/v1/buckets/b/watch?key=a", Map.of())) {
      assertThat(first.next().event()).isEqualTo("ready");
      assertThat(second.next().event()).isEqualTo("ready");
      try (SseReader third = open("/v1/buckets/b/watch?key=a", Map.of())) {
        assertThat(third.status()).isEqualTo(503);
        assertThat(third.errorCode()).isEqualTo("overloaded");
      }
      first.close();
      long deadline = System.currentTimeMillis() + 30_000;
      int status = 0;
      while (status != 200 && System.currentTimeMillis() < deadline) {
        Thread.sleep(20);
        try (SseReader again = open("/v1/buckets/b/watch?key=a", Map.of())) {
          status = again.status();
        }
      }
      assertThat(status).isEqualTo(200);
      assertThat(service.stopped.get()).isPositive();
    }
  }

  @Test
  void aQuietStreamGetsHeartbeats() throws Exception {
    HttpServer beating = serve(HttpApiConfig.defaults(), new WatchLimits(2, 3, 4, 1024, 20));
    try (SseReader reader =
        new SseReader(beating.actualPort(), "/v1/buckets/b/watch?key=a", Map.of())) {
      assertThat(reader.next().event()).isEqualTo("ready");
      assertThat(reader.nextComment()).isEqualTo(": keep-alive");
      assertThat(reader.nextComment()).isEqualTo(": keep-alive");
    }
  }

  @Test
  void closedStreamsGiveBackTheirRequestInFlightPlace() throws Exception {
    HttpServer tight = serve(new HttpApiConfig(HttpApiConfig.defaults().bodyBytesMax(), 1));
    // One request in flight at most: each stream must give its place back once it is closed.
    for (int i = 0; i < 5; i++) {
      long deadline = System.currentTimeMillis() + 30_000;
      SseReader reader = new SseReader(tight.actualPort(), "/v1/buckets/b/watch?key=a", Map.of());
      while (reader.status() != 200 && System.currentTimeMillis() < deadline) {
        assertThat(reader.errorCode()).isEqualTo("overloaded");
        Thread.sleep(20);
        reader = new SseReader(tight.actualPort(), "/v1/buckets/b/watch?key=a", Map.of());
      }
      assertThat(reader.status()).as("stream %d got a place", i).isEqualTo(200);
      assertThat(reader.next().event()).isEqualTo("ready");
      reader.close();
    }
  }

  @Test
  void aReaderThatFallsBehindTheGroupBoundGetsOverflowAndTheStreamEnds() throws Exception {
    try (SseReader reader = open("/v1/buckets/b/watch?key=a", Map.of())) {
      assertThat(reader.next().event()).isEqualTo("ready");
      ChangeListener listener = service.listeners.get(0);
      // Offered from the stream's own event loop, so none is written before the fifth.
      CompletableFuture<List<Boolean>> offered = new CompletableFuture<>();
      vertx.runOnContext(
          v -> {
            List<Boolean> answers = new CopyOnWriteArrayList<>();
            for (int i = 1; i <= LIMITS.groupsQueuedMax() + 1; i++) {
              int value = i;
              answers.add(listener.offer(() -> List.of(object("a", value, 0)), token(value)));
            }
            offered.complete(answers);
          });
      List<Boolean> answers = offered.get(30, TimeUnit.SECONDS);
      assertThat(answers).endsWith(false);
      SseReader.Event event = reader.next();
      while (event != null && event.event().equals("change")) {
        event = reader.next();
      }
      assertThat(event).isNotNull();
      assertThat(event.event()).isEqualTo("overflow");
      assertThat(event.json().path("error").path("code").asText()).isEqualTo("overloaded");
      assertThat(reader.next()).as("the stream ends").isNull();
      assertThat(listener.offer(() -> List.of(object("a", 9, 0)), token(9))).isFalse();
    }
  }

  @Test
  void aReaderThatDoesNotReadIsDropped() throws Exception {
    try (SseReader reader = open("/v1/buckets/b/watch?key=a", Map.of())) {
      assertThat(reader.status()).isEqualTo(200);
      ChangeListener listener = service.listeners.get(0);
      boolean accepted = true;
      int offers = 0;
      // The reader never reads: the socket buffers fill, then the 1 KiB write queue.
      while (accepted && offers < 100_000) {
        offers++;
        int value = offers;
        accepted = listener.offer(() -> List.of(object("a", value, 16_384)), token(value));
        if (offers % 4 == 0) {
          Thread.sleep(1);
        }
      }
      assertThat(accepted).as("dropped after %d offers", offers).isFalse();
      long deadline = System.currentTimeMillis() + 30_000;
      while (service.stopped.get() == 0 && System.currentTimeMillis() < deadline) {
        Thread.sleep(10);
      }
      assertThat(service.stopped.get()).as("the watch was stopped once").isEqualTo(1);
    }
  }
}
