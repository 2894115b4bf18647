package io.meridian.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.server.session.SessionHeaders;
import io.meridian.server.session.SessionTokenCodec;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed requests, each with the 4xx and code the API documents. None may reach the service (so
 * none changes state), and none may yield a 5xx.
 */
class MalformedRequestCorpusTest {
  private static HttpHarness http;

  @BeforeAll
  static void start() throws Exception {
    http = new HttpHarness(HttpApiConfig.defaults());
  }

  @AfterAll
  static void stop() throws Exception {
    http.close();
  }

  record Case(
      String name,
      HttpMethod method,
      String uri,
      Map<String, String> headers,
      String body,
      int status,
      String code) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static final String KEY = "/v1/buckets/b/keys/k";
  private static final Map<String, String> JSON = Map.of("Content-Type", "application/json");

  private static Map<String, String> json(String header, String value) {
    Map<String, String> headers = new HashMap<>(JSON);
    headers.put(header, value);
    return headers;
  }

  static List<Case> corpus() {
    List<Case> cases = new ArrayList<>();
    // Bad JSON bodies.
    for (String body :
        List.of(
            "",
            "{",
            "{\"type\":}",
            "[1,2]",
            "\"text\"",
            "42",
            "null",
            "{\"type\":\"g-counter\"} trailing",
            "{'type':'g-counter'}",
            "[".repeat(5000),
            "{\"a\":" + "[".repeat(3000) + "]".repeat(3000) + "}",
            "\u00ff\u00fe")) {
      cases.add(
          new Case(
              "body " + abbreviate(body), HttpMethod.POST, KEY, JSON, body, 400, "bad_request"));
      cases.add(
          new Case(
              "batch body " + abbreviate(body),
              HttpMethod.POST,
              "/v1/batch",
              JSON,
              body,
              400,
              "bad_request"));
      cases.add(
          new Case(
              "read body " + abbreviate(body),
              HttpMethod.POST,
              "/v1/read",
              JSON,
              body,
              400,
              "bad_request"));
    }
    // Wrong content types.
    for (String type :
        List.of(
            "text/plain",
            "application/x-www-form-urlencoded",
            "application/json; charset=iso-8859-1",
            "application/jsonx",
            "application/json; boundary=x",
            "multipart/form-data; boundary=x")) {
      cases.add(
          new Case(
              "content type " + type,
              HttpMethod.POST,
              KEY,
              Map.of("Content-Type", type),
              "{}",
              415,
              "unsupported_media_type"));
      cases.add(
          new Case(
              "batch content type " + type,
              HttpMethod.POST,
              "/v1/batch",
              Map.of("Content-Type", type),
              "{}",
              415,
              "unsupported_media_type"));
    }
    cases.add(
        new Case(
            "no content type",
            HttpMethod.POST,
            KEY,
            Map.of(),
            "{}",
            415,
            "unsupported_media_type"));
    // Oversized bodies.
    String big = "{\"pad\":\"" + "x".repeat(1 << 20) + "\"}";
    cases.add(new Case("body over 1 MiB", HttpMethod.POST, KEY, JSON, big, 413, "too_large"));
    cases.add(
        new Case("batch over 1 MiB", HttpMethod.POST, "/v1/batch", JSON, big, 413, "too_large"));
    // Bad names.
    for (String path :
        List.of(
            "/v1/buckets//keys/k",
            "/v1/buckets/b/keys/",
            "/v1/buckets/%ZZ/keys/k",
            "/v1/buckets/b/keys/%4",
            "/v1/buckets/b/keys/%",
            "/v1/buckets/%C3%28/keys/k",
            "/v1/buckets/b/keys/%ED%A0%80",
            "/v1/buckets/%FF/keys/k",
            "/v1/buckets/" + "a".repeat(257) + "/keys/k",
            "/v1/buckets/b/keys/" + "%C3%A9".repeat(129))) {
      cases.add(
          new Case(
              "GET name " + abbreviate(path),
              HttpMethod.GET,
              path,
              Map.of(),
              null,
              400,
              "bad_request"));
      cases.add(
          new Case(
              "POST name " + abbreviate(path),
              HttpMethod.POST,
              path,
              JSON,
              "{\"type\":\"g-counter\"}",
              400,
              "bad_request"));
    }
    // Bad session headers.
    for (String guarantees :
        List.of(
            "",
            "RYW,",
            ",RYW",
            "RYW,,MR",
            "causal,RYW",
            "none,MR",
            "RYW,RYW",
            "all",
            "ryw;mr",
            "SC")) {
      cases.add(
          new Case(
              "guarantees '" + guarantees + "'",
              HttpMethod.GET,
              KEY,
              Map.of(SessionHeaders.GUARANTEES, guarantees),
              null,
              400,
              "bad_request"));
    }
    for (String wait :
        List.of("", "-1", "60001", "1.5", "1e3", "abc", "99999999999999999999", "0x10", "+5")) {
      cases.add(
          new Case(
              "wait '" + wait + "'",
              HttpMethod.GET,
              KEY,
              Map.of(SessionHeaders.WAIT, wait),
              null,
              400,
              "bad_request"));
      cases.add(
          new Case(
              "POST wait '" + wait + "'",
              HttpMethod.POST,
              KEY,
              json(SessionHeaders.WAIT, wait),
              "{\"type\":\"g-counter\"}",
              400,
              "bad_request"));
    }
    // Bad tokens.
    String valid = SessionTokenCodec.encode(io.meridian.server.session.SessionToken.empty());
    for (String token :
        List.of(
            "",
            "garbage!",
            "AAAA",
            valid + "=",
            valid + "A",
            "x".repeat(SessionTokenCodec.TOKEN_CHARACTERS_MAX + 1),
            "CAI", // format version 2
            "CAESBAoCYQE", // a vector with a counter but no replica
            "////")) {
      cases.add(
          new Case(
              "token '" + abbreviate(token) + "'",
              HttpMethod.GET,
              KEY,
              Map.of(SessionHeaders.SESSION, token),
              null,
              400,
              "bad_request"));
      cases.add(
          new Case(
              "batch token '" + abbreviate(token) + "'",
              HttpMethod.POST,
              "/v1/batch",
              json(SessionHeaders.SESSION, token),
              "{}",
              400,
              "bad_request"));
    }
    // Unknown routes and methods.
    cases.add(
        new Case(
            "unknown route", HttpMethod.GET, "/v2/anything", Map.of(), null, 404, "not_found"));
    cases.add(new Case("root", HttpMethod.GET, "/", Map.of(), null, 404, "not_found"));
    cases.add(new Case("DELETE key", HttpMethod.DELETE, KEY, Map.of(), null, 404, "not_found"));
    cases.add(new Case("PUT key", HttpMethod.PUT, KEY, JSON, "{}", 404, "not_found"));
    cases.add(new Case("GET batch", HttpMethod.GET, "/v1/batch", Map.of(), null, 404, "not_found"));
    cases.add(new Case("POST status", HttpMethod.POST, "/v1/status", JSON, "{}", 404, "not_found"));
    cases.add(
        new Case(
            "extra path segment", HttpMethod.GET, KEY + "/more", Map.of(), null, 404, "not_found"));
    cases.add(
        new Case(
            "bucket without key",
            HttpMethod.GET,
            "/v1/buckets/b",
            Map.of(),
            null,
            404,
            "not_found"));
    cases.add(
        new Case(
            "wrong middle segment",
            HttpMethod.GET,
            "/v1/buckets/b/values/k",
            Map.of(),
            null,
            404,
            "not_found"));
    return cases;
  }

  private static String abbreviate(String text) {
    return text.length() <= 30 ? text : text.substring(0, 30) + "...(" + text.length() + ")";
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void eachMalformedRequestGetsItsDocumented4xx(Case request) throws Exception {
    int callsBefore = http.service.calls.size();
    HttpHarness.Reply reply =
        http.send(
            request.method(),
            request.uri(),
            request.headers(),
            request.body() == null ? null : Buffer.buffer(request.body()));
    assertThat(reply.status()).as(request.name()).isEqualTo(request.status());
    assertThat(reply.status()).isBetween(400, 499);
    assertThat(reply.errorCode()).isEqualTo(request.code());
    assertThat(reply.json().getJsonObject("error").getString("message")).isNotBlank();
    assertThat(reply.headers().get("Content-Type")).startsWith("application/json");
    assertThat(SessionTokenCodec.decode(reply.headers().get(SessionHeaders.SESSION))).isNotNull();
    assertThat(http.service.calls).as("the service is never reached").hasSize(callsBefore);
  }
}
