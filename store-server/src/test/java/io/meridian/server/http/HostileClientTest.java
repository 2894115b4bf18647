package io.meridian.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.server.Region;
import io.meridian.server.RegionConfig;
import io.meridian.server.auth.ClientAuthConfig;
import io.meridian.server.auth.ClientBounds;
import io.meridian.server.auth.TokenFile;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile-client suite (issue 14): a real region with a token file, attacked with missing,
 * malformed, forged and revoked tokens, scope escapes through names, batches and snapshot reads,
 * header injection, slow connections and huge heads. After every attack: nothing got in, nothing
 * changed, no 5xx.
 */
class HostileClientTest {
  private static final String ADMIN = TokenFile.newToken();
  private static final String ORDERS_WRITER = TokenFile.newToken();
  private static final String ORDERS_READER = TokenFile.newToken();
  private static final String EVERYTHING = TokenFile.newToken();
  private static final String INCREMENT = "{\"type\":\"g-counter\",\"op\":\"increment\",\"by\":1}";

  @TempDir static Path directory;
  private static Path tokenFile;
  private static Vertx vertx;
  private static Region region;
  private static RawHttp http;

  @BeforeAll
  static void start() throws Exception {
    tokenFile = directory.resolve("api-tokens");
    Files.writeString(tokenFile, tokens(ADMIN, ORDERS_WRITER, ORDERS_READER, EVERYTHING));
    vertx = Vertx.vertx();
    region =
        Region.start(
            vertx,
            RegionConfig.builder("h1", directory.resolve("h1"))
                // h2 is known but never runs: a session that needs its entry waits.
                .peers(java.util.Map.of("h2", new io.meridian.server.HostPort("127.0.0.1", 0)))
                .insecure(true)
                .clientAuth(
                    new ClientAuthConfig(
                        Optional.of(tokenFile),
                        false,
                        new ClientBounds(2, 4, 500, 500, 4_096),
                        false))
                .build());
    http = new RawHttp(region.httpPort());
    // One object the attacks must not reveal or change.
    assertThat(http.post("/v1/buckets/secret/keys/k", EVERYTHING, INCREMENT).status())
        .isEqualTo(200);
  }

  private static String tokens(String admin, String writer, String reader, String everything) {
    StringBuilder file = new StringBuilder("# test tokens\n");
    if (admin != null) {
      file.append(TokenFile.line("ops", admin, "admin"));
    }
    if (writer != null) {
      file.append(TokenFile.line("orders-writer", writer, "write:orders*"));
    }
    if (reader != null) {
      file.append(TokenFile.line("orders-reader", reader, "read:orders"));
    }
    if (everything != null) {
      file.append(TokenFile.line("all", everything, "write:*"));
    }
    return file.toString();
  }

  @AfterAll
  static void stop() {
    if (region != null) {
      region.close();
    }
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  private static final List<String> PROTECTED_GETS =
      List.of(
          "/v1/buckets/secret/keys/k",
          "/v1/buckets/orders/keys/k",
          "/v1/buckets/secret/watch?keys=k",
          "/v1/status",
          "/metrics",
          "/v1//status/",
          "/v1/no-such-route");

  // ------------------------------------------------------------------ who you are

  @Test
  void healthIsOpenToEveryone() throws IOException {
    assertThat(http.get("/health/live", null).status()).isEqualTo(200);
    assertThat(http.get("/health/ready", null).status()).isEqualTo(200);
  }

  @Test
  void noTokenIsUnauthorizedWithABearerChallengeEverywhereButHealth() throws IOException {
    for (String path : PROTECTED_GETS) {
      expectUnauthorized(http.get(path, null), path);
    }
    expectUnauthorized(http.post("/v1/buckets/secret/keys/k", null, INCREMENT), "POST key");
    expectUnauthorized(http.post("/v1/batch", null, batch("secret")), "POST batch");
    expectUnauthorized(http.post("/v1/read", null, read("secret")), "POST read");
    expectSecretUnchanged();
  }

  @Test
  void malformedAuthorizationHeadersAreUnauthorized() throws IOException {
    List<List<String>> malformed =
        List.of(
            List.of("Authorization: Basic " + EVERYTHING),
            List.of("Authorization: Bearer"),
            List.of("Authorization: Bearer "),
            List.of("Authorization: " + EVERYTHING),
            List.of("Authorization: Bearer " + EVERYTHING + " extra"),
            List.of("Authorization: Bearer " + EVERYTHING + ",Bearer " + EVERYTHING),
            List.of("Authorization: Bearer tok\"en"),
            List.of("Authorization: Bearer " + "a".repeat(5_000)),
            List.of(RawHttp.bearer(EVERYTHING), RawHttp.bearer(EVERYTHING)),
            List.of(RawHttp.bearer(EVERYTHING), "Authorization: Bearer nope"));
    for (List<String> lines : malformed) {
      RawHttp.Reply reply = http.send("POST", "/v1/buckets/secret/keys/k", lines, INCREMENT);
      assertThat(reply.status()).as("%s", lines).isIn(400, 401, 431);
      if (reply.status() == 401) {
        assertThat(reply.headers().get("WWW-Authenticate")).startsWith("Bearer");
      }
    }
    expectSecretUnchanged();
  }

  @Test
  void forgedTokensAreUnauthorized() throws IOException {
    String hash = TokenFile.sha256Hex(EVERYTHING);
    List<String> forged =
        List.of(
            TokenFile.newToken(),
            hash,
            EVERYTHING.substring(1),
            EVERYTHING + "A",
            EVERYTHING.toUpperCase(java.util.Locale.ROOT),
            flipLast(EVERYTHING));
    for (String token : forged) {
      expectUnauthorized(http.post("/v1/buckets/secret/keys/k", token, INCREMENT), token);
      expectUnauthorized(http.get("/v1/buckets/secret/keys/k", token), token);
    }
    expectSecretUnchanged();
    assertThat(region.scrape()).contains("meridian_auth_refusals_total{reason=\"unknown\"");
  }

  // ------------------------------------------------------------------ what you may do

  @Test
  void aTokenOutsideItsScopeIsForbiddenAndLearnsNothing() throws IOException {
    RawHttp.Reply existing = http.get("/v1/buckets/secret/keys/k", ORDERS_WRITER);
    RawHttp.Reply missing = http.get("/v1/buckets/secret/keys/never-written", ORDERS_WRITER);
    RawHttp.Reply missingBucket = http.get("/v1/buckets/secret-nope/keys/k", ORDERS_WRITER);
    for (RawHttp.Reply reply : List.of(existing, missing, missingBucket)) {
      expectError(reply, 403, "forbidden");
    }
    assertThat(existing.body()).isEqualTo(missing.body()).isEqualTo(missingBucket.body());
    expectError(http.post("/v1/buckets/secret/keys/k", ORDERS_WRITER, INCREMENT), 403, "forbidden");
    expectError(http.post("/v1/buckets/orders/keys/k", ORDERS_READER, INCREMENT), 403, "forbidden");
    expectError(http.get("/v1/buckets/secret/watch?keys=k", ORDERS_READER), 403, "forbidden");
    expectError(http.get("/v1/status", EVERYTHING), 403, "forbidden");
    expectError(http.get("/metrics", ORDERS_WRITER), 403, "forbidden");
    expectError(http.get("/v1/buckets/orders/keys/k", ADMIN), 403, "forbidden");
    expectSecretUnchanged();
    assertThat(http.get("/v1/status", ADMIN).status()).isEqualTo(200);
    assertThat(http.get("/metrics", ADMIN).body()).contains("meridian_auth_refusals_total");
  }

  @Test
  void bucketPatternsMatchTheDecodedNameAndNothingElse() throws IOException {
    assertThat(http.post("/v1/buckets/orders-eu/keys/a", ORDERS_WRITER, INCREMENT).status())
        .isEqualTo(200);
    // %6F is 'o': the decoded name is "orders", which the pattern names.
    assertThat(http.post("/v1/buckets/%6Frders/keys/a", ORDERS_WRITER, INCREMENT).status())
        .isEqualTo(200);
    assertThat(http.get("/v1/buckets/orders/keys/a", ORDERS_READER).status()).isEqualTo(200);
    List<String> escapes =
        List.of(
            "secret%2Forders", // a slash inside the name: the name is "secret/orders"
            "ORDERS",
            "%EF%BD%8Frders", // a fullwidth 'o'
            "o%CC%81rders", // 'o' and a combining accent
            "%C0%AFsecret", // an overlong '/': not UTF-8
            "%ED%A0%80orders", // a surrogate: not UTF-8
            "secret%00orders",
            "orders%", // a bad escape
            "%2E%2E",
            "..%2Fsecret",
            "*");
    for (String bucket : escapes) {
      RawHttp.Reply reply =
          http.post("/v1/buckets/" + bucket + "/keys/k", ORDERS_WRITER, INCREMENT);
      assertThat(reply.status()).as(bucket).isIn(400, 403, 404);
    }
    // The reader's pattern is exact: "orders" only.
    for (String bucket : List.of("orders-eu", "orders%20", "%20orders", "order")) {
      assertThat(http.get("/v1/buckets/" + bucket + "/keys/a", ORDERS_READER).status())
          .as(bucket)
          .isIn(400, 403);
    }
    expectSecretUnchanged();
  }

  @Test
  void batchesAndReadsNamingAForbiddenBucketAreRefusedWholeAndNameNoForbiddenKey()
      throws IOException {
    String mixed =
        "{\"updates\":[" + update("orders", "mix-1") + "," + update("secret", "hidden-key") + "]}";
    RawHttp.Reply refused = http.post("/v1/batch", ORDERS_WRITER, mixed);
    expectError(refused, 403, "forbidden");
    assertThat(refused.body()).doesNotContain("secret").doesNotContain("hidden-key");
    assertThat(http.get("/v1/buckets/orders/keys/mix-1", EVERYTHING).status()).isEqualTo(404);
    // A duplicate field: the service reads the last one, and so does the check.
    String duplicate =
        "{\"updates\":[{\"bucket\":\"orders\",\"bucket\":\"secret\",\"key\":\"k\","
            + "\"type\":\"g-counter\",\"op\":\"increment\"}]}";
    expectError(http.post("/v1/batch", ORDERS_WRITER, duplicate), 403, "forbidden");
    // A reader may not batch at all, even into its own bucket.
    expectError(
        http.post("/v1/batch", ORDERS_READER, "{\"updates\":[" + update("orders", "r") + "]}"),
        403,
        "forbidden");
    RawHttp.Reply readRefused =
        http.post(
            "/v1/read",
            ORDERS_READER,
            "{\"keys\":[{\"bucket\":\"orders\",\"key\":\"a\"},"
                + "{\"bucket\":\"secret\",\"key\":\"hidden-key\"}]}");
    expectError(readRefused, 403, "forbidden");
    assertThat(readRefused.body()).doesNotContain("secret").doesNotContain("hidden-key");
    assertThat(http.post("/v1/read", ORDERS_READER, read("orders")).status()).isEqualTo(200);
    assertThat(
            http.post("/v1/batch", ORDERS_WRITER, "{\"updates\":[" + update("orders", "ok") + "]}")
                .status())
        .isEqualTo(200);
    expectSecretUnchanged();
  }

  @Test
  void aTokenPastItsInFlightBoundIsOverloadedAndOtherTokensAreNot() throws Exception {
    String waiting =
        io.meridian.server.session.SessionTokenCodec.encode(
            io.meridian.server.session.SessionToken.of(
                io.meridian.clocks.VersionVector.of("h2", 1),
                io.meridian.clocks.VersionVector.empty()));
    List<String> held =
        List.of(RawHttp.bearer(EVERYTHING), "Meridian-Session: " + waiting, "Meridian-Wait: 4000");
    RawHttp.Reply overloaded = null;
    for (int round = 0; round < 10 && overloaded == null; round++) {
      List<java.util.concurrent.CompletableFuture<RawHttp.Reply>> holders =
          List.of(hold(held), hold(held));
      for (int attempt = 0;
          attempt < 300 && overloaded == null && holders.stream().noneMatch(f -> f.isDone());
          attempt++) {
        RawHttp.Reply probe = http.get("/v1/buckets/orders/keys/a", EVERYTHING);
        if (probe.status() == 503) {
          overloaded = probe;
          assertThat(http.get("/v1/buckets/orders/keys/none", ORDERS_READER).status())
              .as("another token is not bounded by this one's requests")
              .isIn(200, 404);
        } else {
          sleep(10);
        }
      }
      for (var holder : holders) {
        assertThat(holder.join().status()).isIn(503);
      }
    }
    assertThat(overloaded)
        .as("an overloaded answer while the token's two places are held")
        .isNotNull();
    expectError(overloaded, 503, "overloaded");
    assertThat(overloaded.headers().get("Retry-After")).isEqualTo("1");
    assertThat(region.scrape())
        .containsPattern("meridian_client_overloaded_total\\{bound=\"token\"[^}]*} [1-9]");
  }

  private static java.util.concurrent.CompletableFuture<RawHttp.Reply> hold(List<String> lines) {
    return java.util.concurrent.CompletableFuture.supplyAsync(
        () -> {
          try {
            return http.send("GET", "/v1/buckets/orders/keys/a", lines, null);
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
  }

  // ------------------------------------------------------------------ the connection

  @Test
  void headerInjectionGetsNothingIn() throws IOException {
    List<List<String>> injected =
        List.of(
            List.of("Authorization: Bearer x\rAuthorization: Bearer " + EVERYTHING),
            List.of("X-Note: a\rAuthorization: Bearer " + EVERYTHING),
            List.of("Authorization: Bearer " + EVERYTHING.substring(0, 5) + "\u0000"),
            List.of(" Authorization: Bearer " + EVERYTHING),
            List.of("Authorization : Bearer " + EVERYTHING));
    for (List<String> lines : injected) {
      RawHttp.Reply reply = http.send("POST", "/v1/buckets/secret/keys/k", lines, INCREMENT);
      assertThat(reply.status()).as("%s", lines).isBetween(400, 499);
    }
    expectSecretUnchanged();
  }

  @Test
  void hugeHeadsAreRefusedWithA4xx() throws IOException {
    RawHttp.Reply hugeHeader =
        http.send(
            "GET",
            "/v1/buckets/secret/keys/k",
            List.of(RawHttp.bearer(EVERYTHING), "X-Pad: " + "p".repeat(20_000)),
            null);
    assertThat(hugeHeader.status()).isIn(400, 431);
    RawHttp.Reply hugeUri = http.get("/v1/buckets/secret/keys/" + "k".repeat(20_000), EVERYTHING);
    assertThat(hugeUri.status()).isIn(400, 414, 431);
    expectSecretUnchanged();
  }

  @Test
  void aSlowLorisConnectionIsClosed() throws IOException {
    try (Socket socket = new Socket("127.0.0.1", region.httpPort())) {
      socket.setSoTimeout(20_000);
      OutputStream output = socket.getOutputStream();
      output.write("GET /health/live HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.UTF_8));
      output.flush();
      InputStream input = socket.getInputStream();
      boolean closed = false;
      for (int i = 0; i < 200 && !closed; i++) {
        try {
          output.write("X-Slow: y\r\n".getBytes(StandardCharsets.UTF_8));
          output.flush();
        } catch (IOException e) {
          closed = true;
          break;
        }
        sleep(100);
        closed = input.available() == 0 && peerClosed(socket);
      }
      assertThat(closed).as("the server closed the slow connection").isTrue();
    }
    assertThat(region.scrape())
        .containsPattern("meridian_client_deadline_closes_total\\{phase=\"header\"[^}]*} [1-9]");
  }

  @Test
  void aSlowBodyIsCutOff() throws IOException {
    try (Socket socket = new Socket("127.0.0.1", region.httpPort())) {
      socket.setSoTimeout(20_000);
      OutputStream output = socket.getOutputStream();
      output.write(
          ("POST /v1/buckets/orders/keys/slow HTTP/1.1\r\nHost: x\r\n"
                  + RawHttp.bearer(EVERYTHING)
                  + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"ty")
              .getBytes(StandardCharsets.UTF_8));
      output.flush();
      RawHttp.Reply reply = RawHttp.parse(RawHttp.readAll(socket.getInputStream()));
      assertThat(reply.closedWithoutAnswer()).isTrue();
    }
    assertThat(http.get("/v1/buckets/orders/keys/slow", EVERYTHING).status()).isEqualTo(404);
    assertThat(region.scrape())
        .containsPattern("meridian_client_deadline_closes_total\\{phase=\"body\"[^}]*} [1-9]");
  }

  // ------------------------------------------------------------------ the file changes

  @Test
  void aTokenRemovedFromTheFileIsRevokedWithoutARestartAndABrokenFileKeepsTheTokens()
      throws Exception {
    String revoked = TokenFile.newToken();
    assertThat(http.post("/v1/buckets/orders/keys/a", EVERYTHING, INCREMENT).status())
        .isEqualTo(200);
    Files.writeString(
        tokenFile,
        tokens(ADMIN, ORDERS_WRITER, ORDERS_READER, EVERYTHING)
            + TokenFile.line("temporary", revoked, "read:*"));
    waitForStatus("/v1/buckets/orders/keys/a", revoked, 200);
    Files.writeString(tokenFile, tokens(ADMIN, ORDERS_WRITER, ORDERS_READER, EVERYTHING));
    waitForStatus("/v1/buckets/orders/keys/a", revoked, 401);

    Files.writeString(tokenFile, "this line is not a token\n");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!region.scrape().matches("(?s).*meridian_auth_file_valid(\\{[^}]*})? 0\\.0.*")) {
      assertThat(System.nanoTime()).as("the broken file was noticed").isLessThan(deadline);
      sleep(200);
    }
    assertThat(http.get("/v1/buckets/orders/keys/a", ORDERS_READER).status()).isEqualTo(200);
    assertThat(region.scrape())
        .containsPattern("meridian_auth_reloads_total\\{result=\"failed\"[^}]*} [1-9]");
    Files.writeString(tokenFile, tokens(ADMIN, ORDERS_WRITER, ORDERS_READER, EVERYTHING));
    waitFor(() -> region.scrape().matches("(?s).*meridian_auth_file_valid(\\{[^}]*})? 1\\.0.*"));
  }

  // ------------------------------------------------------------------ helpers

  private static void waitForStatus(String path, String token, int status) throws Exception {
    waitFor(() -> http.get(path, token).status() == status);
  }

  private interface Check {
    boolean holds() throws Exception;
  }

  private static void waitFor(Check check) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!check.holds()) {
      assertThat(System.nanoTime()).as("waited for a reload").isLessThan(deadline);
      sleep(200);
    }
  }

  private static boolean peerClosed(Socket socket) {
    try {
      socket.setSoTimeout(1);
      return socket.getInputStream().read() < 0;
    } catch (java.net.SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    } finally {
      try {
        socket.setSoTimeout(20_000);
      } catch (IOException e) {
        // closed
      }
    }
  }

  private static void expectSecretUnchanged() throws IOException {
    RawHttp.Reply secret = http.get("/v1/buckets/secret/keys/k", EVERYTHING);
    assertThat(secret.status()).isEqualTo(200);
    assertThat(new JsonObject(secret.body()).getLong("value")).isEqualTo(1L);
  }

  private static void expectUnauthorized(RawHttp.Reply reply, String what) {
    assertThat(reply.status()).as(what).isEqualTo(401);
    assertThat(reply.headers().get("WWW-Authenticate")).as(what).startsWith("Bearer");
    assertThat(new JsonObject(reply.body()).getJsonObject("error").getString("code"))
        .isEqualTo("unauthorized");
  }

  private static void expectError(RawHttp.Reply reply, int status, String code) {
    assertThat(reply.status()).as(reply.body()).isEqualTo(status);
    assertThat(new JsonObject(reply.body()).getJsonObject("error").getString("code"))
        .isEqualTo(code);
  }

  private static String update(String bucket, String key) {
    return "{\"bucket\":\""
        + bucket
        + "\",\"key\":\""
        + key
        + "\",\"type\":\"g-counter\",\"op\":\"increment\"}";
  }

  private static String batch(String bucket) {
    return "{\"updates\":[" + update(bucket, "k") + "]}";
  }

  private static String read(String bucket) {
    return "{\"keys\":[{\"bucket\":\"" + bucket + "\",\"key\":\"k\"}]}";
  }

  private static String flipLast(String token) {
    char last = token.charAt(token.length() - 1);
    return token.substring(0, token.length() - 1) + (last == 'A' ? 'B' : 'A');
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
