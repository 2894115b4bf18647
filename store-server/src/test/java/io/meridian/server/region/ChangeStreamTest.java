package io.meridian.server.region;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.clocks.VersionVector;
import io.meridian.server.Region;
import io.meridian.server.RegionConfig;
import io.meridian.server.http.SseReader;
import io.meridian.server.session.SessionTokenCodec;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Change streams of three real regions (replication without TLS): events of the watched keys in the
 * order the region applied them, causal across keys written at other regions; a resume from an
 * event's id sends exactly the keys changed since; a request the region refuses is a 4xx.
 */
class ChangeStreamTest {
  private static final HttpTestClient HTTP = new HttpTestClient();
  @TempDir static Path data;
  private static Vertx vertx;
  private static List<Region> regions;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    regions =
        Region.startAll(
            vertx,
            RegionConfig.localMesh(
                List.of("r1", "r2", "r3"), data, 0, region -> region.insecure(true)));
  }

  @AfterAll
  static void stop() {
    if (regions != null) {
      regions.forEach(Region::close);
    }
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  private static int port(int region) {
    return regions.get(region).httpPort();
  }

  /** Posts an update with the session token (null for none); returns the token after it. */
  private static String update(int region, String key, String body, String session) {
    Map<String, String> headers = new HashMap<>();
    if (session != null) {
      headers.put("Meridian-Session", session);
    }
    HttpTestClient.Reply reply =
        HTTP.post(port(region), "/v1/buckets/s/keys/" + key, body, headers);
    assertThat(reply.status()).as("%s", reply.body()).isEqualTo(200);
    return reply.session();
  }

  private static String append(String value) {
    return "{\"type\":\"list\",\"op\":\"insert\",\"index\":0,\"values\":[\"" + value + "\"]}";
  }

  private static final String INCREMENT = "{\"type\":\"pn-counter\",\"op\":\"increment\",\"by\":1}";

  private static SseReader watch(int region, String keys, String lastEventId) {
    Map<String, String> headers = new HashMap<>();
    if (lastEventId != null) {
      headers.put("Last-Event-ID", lastEventId);
    }
    SseReader reader = new SseReader(port(region), "/v1/buckets/s/watch?" + keys, headers);
    assertThat(reader.status()).as("%s", reader.errorBody()).isEqualTo(200);
    return reader;
  }

  private static VersionVector vector(String id) {
    return SessionTokenCodec.decode(id).readVector();
  }

  @Test
  void changesWrittenAtOtherRegionsArriveInCausalOrder() {
    int rounds = 30;
    try (SseReader reader = watch(0, "key=items&key=count&key=never", null)) {
      SseReader.Event ready = reader.next();
      assertThat(ready.event()).isEqualTo("ready");
      VersionVector last = vector(ready.id());
      // One session: items gets i at r2, then count reaches i at r3 (after it, monotonic writes).
      String session = null;
      for (int i = 1; i <= rounds; i++) {
        session = update(1, "items", append("v" + i), session);
        session = update(2, "count", INCREMENT, session);
      }
      int itemsSeen = 0;
      long countSeen = 0;
      while (countSeen < rounds) {
        SseReader.Event event = reader.next();
        assertThat(event).as("the stream goes on").isNotNull();
        assertThat(event.event()).isEqualTo("change");
        JsonNode object = event.json();
        if (object.get("key").asText().equals("items")) {
          int size = object.get("value").size();
          assertThat(size).as("items never go back").isGreaterThanOrEqualTo(itemsSeen);
          assertThat(object.get("value").get(0).asText()).isEqualTo("v" + size);
          itemsSeen = size;
        } else {
          assertThat(object.get("key").asText()).isEqualTo("count");
          long count = object.get("value").asLong();
          assertThat(count).as("the count never goes back").isGreaterThan(countSeen);
          assertThat((long) itemsSeen)
              .as("count %d is seen only after the items written before it", count)
              .isGreaterThanOrEqualTo(count);
          countSeen = count;
        }
        if (event.id() != null) {
          VersionVector now = vector(event.id());
          assertThat(now.dominates(last)).as("ids move forward").isTrue();
          last = now;
        }
      }
      assertThat(itemsSeen).isEqualTo(rounds);
    }
  }

  @Test
  void aResumeSendsTheKeysChangedSinceItsIdAndNoOther() {
    update(0, "a", INCREMENT, null);
    update(0, "b", INCREMENT, null);
    String readyId;
    String afterA;
    try (SseReader reader = watch(0, "key=a&key=b", null)) {
      List<String> first = new ArrayList<>();
      SseReader.Event event = reader.next();
      while (event.event().equals("change")) {
        first.add(event.json().get("key").asText());
        event = reader.next();
      }
      assertThat(first).containsExactlyInAnyOrder("a", "b");
      assertThat(event.event()).isEqualTo("ready");
      readyId = event.id();
      update(0, "a", INCREMENT, null);
      SseReader.Event a = reader.next();
      assertThat(a.json().get("value").asLong()).isEqualTo(2);
      afterA = a.id();
    }
    // Disconnected: b changes at another region.
    String session = update(1, "b", INCREMENT, null);
    awaitCovered(0, session);
    try (SseReader resumed = watch(0, "key=a&key=b", afterA)) {
      SseReader.Event b = resumed.next();
      assertThat(b.event()).isEqualTo("change");
      assertThat(b.json().get("key").asText()).isEqualTo("b");
      assertThat(b.json().get("value").asLong()).isEqualTo(2);
      assertThat(resumed.next().event()).as("a did not change since").isEqualTo("ready");
    }
    try (SseReader resumed = watch(0, "key=a&key=b", readyId)) {
      List<String> keys = new ArrayList<>();
      SseReader.Event event = resumed.next();
      while (event.event().equals("change")) {
        keys.add(event.json().get("key").asText());
        event = resumed.next();
      }
      assertThat(keys).containsExactlyInAnyOrder("a", "b");
    }
  }

  /** Waits until region {@code index} serves a read with {@code session} (it applied it). */
  private static void awaitCovered(int index, String session) {
    HttpTestClient.Reply reply =
        HTTP.get(
            port(index),
            "/v1/buckets/s/keys/b",
            Map.of("Meridian-Session", session, "Meridian-Wait", "30000"));
    assertThat(reply.status()).isEqualTo(200);
  }

  @Test
  void aStreamTheRegionCannotServeIsRefusedWithAClientErrorOrUnavailable() {
    try (SseReader tooLong =
        new SseReader(port(0), "/v1/buckets/s/watch?key=" + "k".repeat(300), Map.of())) {
      assertThat(tooLong.status()).isEqualTo(400);
      assertThat(tooLong.errorCode()).isEqualTo("bad_request");
    }
    // A resume token from a future this region has not reached: it waits, then says 503.
    String ahead =
        SessionTokenCodec.encode(
            io.meridian.server.session.SessionToken.of(
                VersionVector.empty(), VersionVector.of("r2", 1_000_000)));
    try (SseReader future =
        new SseReader(
            port(0),
            "/v1/buckets/s/watch?key=a",
            Map.of("Last-Event-ID", ahead, "Meridian-Wait", "0"))) {
      assertThat(future.status()).isEqualTo(503);
      assertThat(future.errorCode()).isEqualTo("session_unavailable");
    }
  }
}
