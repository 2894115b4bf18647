package io.meridian.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.clocks.VersionVector;
import io.meridian.server.session.Guarantee;
import io.meridian.server.session.SessionHeaders;
import io.meridian.server.session.SessionToken;
import io.meridian.server.session.SessionTokenCodec;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpApiTest {
  private static HttpHarness http;

  @BeforeAll
  static void start() throws Exception {
    http = new HttpHarness(HttpApiConfig.defaults());
  }

  @AfterAll
  static void stop() throws Exception {
    http.close();
  }

  @BeforeEach
  void reset() {
    http.service.calls.clear();
    http.service.contexts.clear();
    http.service.ready = true;
  }

  private static SessionToken sessionOf(HttpHarness.Reply reply) {
    String header = reply.headers().get(SessionHeaders.SESSION);
    assertThat(header).as("every response carries a session token").isNotNull();
    return SessionTokenCodec.decode(header);
  }

  @Test
  void cleartextHttp2IsServedWhenTheClientOffersIt() throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    URI status = URI.create("http://127.0.0.1:" + http.server.actualPort() + "/v1/status");
    // The first request offers the upgrade (h2c); the connection then speaks HTTP/2.
    for (int i = 0; i < 2; i++) {
      HttpResponse<String> response =
          client.send(
              HttpRequest.newBuilder(status).GET().build(), HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
    }
  }

  @Test
  void returnMinimalIsFoundAmongPreferencesAndNothingElseCounts() {
    assertThat(HttpApi.prefersMinimal(java.util.List.of("return=minimal"))).isTrue();
    assertThat(HttpApi.prefersMinimal(java.util.List.of("wait=5, Return = \"MINIMAL\"; x=1")))
        .isTrue();
    assertThat(HttpApi.prefersMinimal(java.util.List.of("respond-async", "return=minimal")))
        .isTrue();
    assertThat(HttpApi.prefersMinimal(java.util.List.of())).isFalse();
    assertThat(HttpApi.prefersMinimal(java.util.List.of("return=representation"))).isFalse();
    assertThat(HttpApi.prefersMinimal(java.util.List.of("minimal", "=minimal", "return")))
        .isFalse();
    assertThat(HttpApi.prefersMinimal(java.util.List.of("handling=minimal"))).isFalse();
  }

  @Test
  void livenessAndReadiness() throws Exception {
    assertThat(http.get("/health/live").status()).isEqualTo(200);
    assertThat(http.get("/health/ready").status()).isEqualTo(200);
    http.service.ready = false;
    HttpHarness.Reply notReady = http.get("/health/ready");
    assertThat(notReady.status()).isEqualTo(503);
    assertThat(notReady.json().getString("status")).isEqualTo("starting");
  }

  @Test
  void namesArePercentDecodedFromTheRawPath() throws Exception {
    HttpHarness.Reply reply = http.get("/v1/buckets/my%20bucket/keys/caf%C3%A9%2Fdoor");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(http.service.calls).containsExactly("readKey my bucket/café/door");
    assertThat(reply.json().getString("key")).isEqualTo("café/door");
  }

  @Test
  void namesOfExactly256BytesAreAcceptedAnd257Refused() throws Exception {
    String twoBytes = "%C3%A9"; // é
    assertThat(http.get("/v1/buckets/" + twoBytes.repeat(128) + "/keys/k").status()).isEqualTo(200);
    HttpHarness.Reply tooLong = http.get("/v1/buckets/" + twoBytes.repeat(128) + "x/keys/k");
    assertThat(tooLong.status()).isEqualTo(400);
    assertThat(tooLong.errorCode()).isEqualTo("bad_request");
  }

  @Test
  void aNewSessionGetsATokenAndTheServiceAdvancesIt() throws Exception {
    HttpHarness.Reply reply = http.get("/v1/buckets/b/keys/k");
    assertThat(sessionOf(reply))
        .isEqualTo(SessionToken.empty().afterRead(VersionVector.of("a", 1)));
    RequestContext context = http.service.contexts.get(0);
    assertThat(context.tokenSent()).isFalse();
    assertThat(context.guarantees()).isEmpty();
    assertThat(context.waitMillis()).isEqualTo(1000);
  }

  @Test
  void aSentTokenDefaultsToCausalAndIsPassedToTheService() throws Exception {
    SessionToken token =
        SessionToken.of(VersionVector.of("b", 4), VersionVector.of(Map.of("a", 2L, "c", 9L)));
    HttpHarness.Reply reply =
        http.send(
            HttpMethod.GET,
            "/v1/buckets/b/keys/k",
            Map.of(
                SessionHeaders.SESSION,
                SessionTokenCodec.encode(token),
                SessionHeaders.WAIT,
                "250"),
            null);
    assertThat(reply.status()).isEqualTo(200);
    RequestContext context = http.service.contexts.get(0);
    assertThat(context.session()).isEqualTo(token);
    assertThat(context.guarantees()).containsExactlyInAnyOrder(Guarantee.values());
    assertThat(context.waitMillis()).isEqualTo(250);
    assertThat(sessionOf(reply)).isEqualTo(token.afterRead(VersionVector.of("a", 1)));
  }

  @Test
  void guaranteesAreParsedCaseInsensitively() throws Exception {
    http.send(
        HttpMethod.GET, "/v1/buckets/b/keys/k", Map.of(SessionHeaders.GUARANTEES, "ryw, Mr"), null);
    assertThat(http.service.contexts.get(0).guarantees())
        .isEqualTo(Set.of(Guarantee.RYW, Guarantee.MR));
  }

  @Test
  void aServiceErrorKeepsItsStatusAndTheSessionToken() throws Exception {
    SessionToken token = SessionToken.of(VersionVector.of("b", 4), VersionVector.empty());
    HttpHarness.Reply conflict =
        http.send(
            HttpMethod.POST,
            "/v1/buckets/b/keys/conflict",
            Map.of(
                "Content-Type",
                "application/json",
                SessionHeaders.SESSION,
                SessionTokenCodec.encode(token)),
            Buffer.buffer("{\"type\":\"pn-counter\",\"op\":\"increment\"}"));
    assertThat(conflict.status()).isEqualTo(409);
    assertThat(conflict.errorCode()).isEqualTo("type_mismatch");
    assertThat(sessionOf(conflict)).isEqualTo(token);

    HttpHarness.Reply lagging = http.get("/v1/buckets/b/keys/lagging");
    assertThat(lagging.status()).isEqualTo(503);
    assertThat(lagging.errorCode()).isEqualTo("session_unavailable");
    assertThat(lagging.headers().get("Retry-After")).isEqualTo("2");
    assertThat(sessionOf(lagging)).isEqualTo(SessionToken.empty());
  }

  @Test
  void aBatchErrorNamesItsIndex() throws Exception {
    HttpHarness.Reply reply = http.postJson("/v1/batch", "{}");
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.json().getJsonObject("error").getInteger("index")).isZero();
  }

  @Test
  void jsonWithACharsetParameterIsAccepted() throws Exception {
    HttpHarness.Reply reply =
        http.send(
            HttpMethod.POST,
            "/v1/read",
            Map.of("Content-Type", "Application/JSON; charset=\"UTF-8\""),
            Buffer.buffer("{\"keys\":[]}"));
    assertThat(reply.status()).isEqualTo(200);
  }

  @Test
  void aBodyOfExactlyTheLimitIsAccepted() throws Exception {
    String prefix = "{\"type\":\"g-counter\",\"pad\":\"";
    String suffix = "\"}";
    int padding = (1 << 20) - prefix.length() - suffix.length();
    HttpHarness.Reply reply =
        http.postJson("/v1/buckets/b/keys/k", prefix + "x".repeat(padding) + suffix);
    assertThat(reply.status()).isEqualTo(200);
    HttpHarness.Reply over =
        http.postJson("/v1/buckets/b/keys/k", prefix + "x".repeat(padding + 1) + suffix);
    assertThat(over.status()).isEqualTo(413);
    assertThat(over.errorCode()).isEqualTo("too_large");
  }

  @Test
  void statusComesFromTheService() throws Exception {
    HttpHarness.Reply reply = http.get("/v1/status");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.json().getString("region")).isEqualTo("a");
  }

  @Test
  void metricsArePrometheusTextWithLatencyByEndpointAndStatus() throws Exception {
    http.get("/health/live");
    http.get("/no/such/route");
    HttpHarness.Reply metrics = http.get("/metrics");
    assertThat(metrics.status()).isEqualTo(200);
    assertThat(metrics.headers().get("Content-Type")).startsWith("text/plain");
    assertThat(metrics.body())
        .contains(
            "meridian_http_requests_seconds_count{endpoint=\"GET /health/live\",status=\"200\"}")
        .contains("meridian_http_requests_seconds_count{endpoint=\"unmatched\",status=\"404\"}");
  }

  @Test
  void requestsPastTheInFlightBoundAreShedWithRetryAfter() throws Exception {
    try (HttpHarness small = new HttpHarness(new HttpApiConfig(1 << 20, 1))) {
      CompletableFuture<HttpHarness.Reply> first =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return small.get("/v1/buckets/b/keys/held");
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      while (small.service.calls.isEmpty()) {
        Thread.onSpinWait();
      }
      HttpHarness.Reply shed = small.get("/health/live");
      assertThat(shed.status()).isEqualTo(503);
      assertThat(shed.errorCode()).isEqualTo("overloaded");
      assertThat(shed.headers().get("Retry-After")).isEqualTo("1");
      small.vertx.runOnContext(ignored -> small.service.release());
      assertThat(first.get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
      assertThat(small.get("/health/live").status()).isEqualTo(200);
    }
  }
}
