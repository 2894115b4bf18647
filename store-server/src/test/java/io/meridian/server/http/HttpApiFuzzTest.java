package io.meridian.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.meridian.clocks.VersionVector;
import io.meridian.server.HostPort;
import io.meridian.server.Region;
import io.meridian.server.RegionConfig;
import io.meridian.server.session.SessionHeaders;
import io.meridian.server.session.SessionToken;
import io.meridian.server.session.SessionTokenCodec;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;

/**
 * Coverage-guided fuzz target (Jazzer) of a real region's HTTP API, in process: every endpoint's
 * JSON body, the names in the path and the session headers. Without {@code JAZZER_FUZZ} it replays
 * its corpus under {@code src/test/resources/.../HttpApiFuzzTestInputs/requests}; see
 * docs/notes/2026-12-fuzzing.md.
 *
 * <p>An input is one byte choosing the endpoint, then, separated by NUL bytes, the key, the {@code
 * Meridian-Session}, {@code Meridian-Guarantees} and {@code Meridian-Wait} values (absent when
 * missing; header values keep their printable ASCII only, and a wait that is a plain number is sent
 * as 0 so that no input waits) and the body (the rest, raw bytes). The property: the answer is
 * never a 5xx but a 503 {@code session_unavailable} (a token naming writes this lone region never
 * saw) or {@code overloaded}; a refused request (4xx, 503) leaves the region's applied vector as it
 * was.
 */
class HttpApiFuzzTest {
  private static final String[] ENDPOINTS = {
    "POST /v1/buckets/b/keys/", "GET /v1/buckets/b/keys/", "POST /v1/batch", "POST /v1/read"
  };

  private static Vertx vertx;
  private static Region region;
  private static Path data;

  /**
   * Starts the region at the first input: Jazzer's agent, whose detector of server-side request
   * forgery refuses every connection by default (the harness's own to the region included), is in
   * place only once a fuzz test runs; this host is allowed.
   */
  private static void startOnce() throws Exception {
    if (region != null) {
      return;
    }
    BugDetectors.allowNetworkConnections(
        (host, port) -> host.equals("127.0.0.1") || host.equals("localhost"));
    vertx = Vertx.vertx();
    data = Files.createTempDirectory("http-fuzz");
    region =
        Region.start(
            vertx,
            RegionConfig.builder("r1", data.resolve("r1"))
                .peers(Map.of("r2", new HostPort("127.0.0.1", 0)))
                .insecure(true)
                .build());
  }

  @AfterAll
  static void stop() throws Exception {
    if (region != null) {
      region.close();
      region = null;
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  @FuzzTest(maxDuration = "30s")
  void requests(byte[] input) throws Exception {
    if (input.length == 0) {
      return;
    }
    startOnce();
    String[] endpoint = ENDPOINTS[(input[0] & 0xff) % ENDPOINTS.length].split(" ");
    byte[][] fields = split(Arrays.copyOfRange(input, 1, input.length), 5);
    boolean keyed = endpoint[1].endsWith("/");
    String uri = keyed ? endpoint[1] + uriText(fields[0]) : endpoint[1];
    StringBuilder head = new StringBuilder();
    head.append(endpoint[0]).append(' ').append(uri).append(" HTTP/1.1\r\n");
    head.append("Host: 127.0.0.1\r\nConnection: close\r\n");
    header(head, SessionHeaders.SESSION, fields[1]);
    header(head, SessionHeaders.GUARANTEES, fields[2]);
    if (fields[3] != null) {
      String wait = headerText(fields[3]);
      header(head, SessionHeaders.WAIT, wait.strip().matches("[0-9]+") ? "0" : wait);
    } else {
      header(head, SessionHeaders.WAIT, "0");
    }
    byte[] body = new byte[0];
    if (endpoint[0].equals("POST")) {
      body = fields[4] == null ? body : fields[4];
      head.append("Content-Type: application/json\r\nContent-Length: ")
          .append(body.length)
          .append("\r\n");
    }
    head.append("\r\n");

    VersionVector before = applied();
    RawHttp.Reply reply = RawHttp.parse(RawHttp.exchange(region.httpPort(), head.toString(), body));
    String what = head + new String(body, StandardCharsets.UTF_8) + "\n=> " + reply;
    assertThat(reply.status()).as(what).isBetween(200, 503);
    if (reply.status() >= 500) {
      assertThat(reply.status()).as(what).isEqualTo(503);
      assertThat(reply.body()).as(what).containsAnyOf("session_unavailable", "overloaded");
    }
    if (reply.status() >= 400) {
      assertThat(applied()).as(what).isEqualTo(before);
    }
  }

  private static VersionVector applied() throws Exception {
    return region
        .owner()
        .appliedVector()
        .toCompletionStage()
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  /** {@code bytes} split at NUL into at most {@code count} parts; missing parts are null. */
  private static byte[][] split(byte[] bytes, int count) {
    byte[][] parts = new byte[count][];
    int start = 0;
    for (int part = 0; part < count && start <= bytes.length; part++) {
      int end = start;
      while (end < bytes.length && (bytes[end] != 0 || part == count - 1)) {
        end++;
      }
      parts[part] = Arrays.copyOfRange(bytes, start, end);
      start = end + 1;
    }
    return parts;
  }

  private static void header(StringBuilder head, String name, byte[] value) {
    if (value != null) {
      header(head, name, headerText(value));
    }
  }

  private static void header(StringBuilder head, String name, String value) {
    head.append(name).append(": ").append(value).append("\r\n");
  }

  /** The printable ASCII of {@code bytes}: a header value cannot hold anything else. */
  private static String headerText(byte[] bytes) {
    StringBuilder text = new StringBuilder();
    for (byte b : bytes) {
      if (b >= 0x20 && b < 0x7f) {
        text.append((char) b);
      }
    }
    return text.toString();
  }

  /**
   * {@code bytes} as a path segment: printable ASCII but space kept as it is (so bad escapes,
   * slashes and dots reach the router), every other byte percent-encoded.
   */
  private static String uriText(byte[] bytes) {
    StringBuilder text = new StringBuilder();
    for (byte b : bytes) {
      if (b > 0x20 && b < 0x7f) {
        text.append((char) b);
      } else {
        text.append('%').append(String.format("%02X", b & 0xff));
      }
    }
    return text.toString();
  }

  private static byte[] seed(int endpoint, String key, String session, String body)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(endpoint);
    for (String field : new String[] {key, session, "RYW,MR", "0", body}) {
      out.write(field.getBytes(StandardCharsets.UTF_8));
      if (field != body) {
        out.write(0);
      }
    }
    return out.toByteArray();
  }

  /** Writes the seed corpus (a valid request of each endpoint) under {@code args[0]}. */
  public static void main(String[] args) throws IOException {
    Path dir = Files.createDirectories(Path.of(args[0]).resolve("requests"));
    String token = SessionTokenCodec.encode(SessionToken.empty());
    String update = "{\"type\":\"pn-counter\",\"op\":\"increment\",\"by\":2}";
    Files.write(dir.resolve("seed-update"), seed(0, "k", token, update));
    Files.write(
        dir.resolve("seed-map"),
        seed(
            0,
            "m%C3%A9",
            token,
            "{\"type\":\"or-map\",\"op\":\"update\",\"entries\":{\"s\":{\"type\":\"aw-set\","
                + "\"op\":\"add\",\"elements\":[\"x\",1]}},\"id\":\"op-1\"}"));
    Files.write(dir.resolve("seed-get"), seed(1, "k", token, ""));
    Files.write(
        dir.resolve("seed-batch"),
        seed(
            2,
            "",
            token,
            "{\"updates\":[{\"bucket\":\"b\",\"key\":\"k\",\"type\":\"pn-counter\","
                + "\"op\":\"increment\"},{\"bucket\":\"c\",\"key\":\"l\",\"type\":\"list\","
                + "\"op\":\"insert\",\"index\":0,\"values\":[\"v\"]}]}"));
    Files.write(
        dir.resolve("seed-read"),
        seed(3, "", token, "{\"keys\":[{\"bucket\":\"b\",\"key\":\"k\"}]}"));
  }
}
