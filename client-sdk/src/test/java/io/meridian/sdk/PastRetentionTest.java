package io.meridian.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly once past the regions' operation-id retention: three real regions that forget an
 * operation id one second after applying it (and fold every 100 ms), a client whose update was
 * applied but whose answer was lost, who stays offline until the regions have forgotten it, and who
 * then retries at another region. The SDK's client sequence counts once; a raw-HTTP control in the
 * same setup shows that the per-key operation id form ({@code "id"}) counts twice.
 */
class PastRetentionTest {
  private static final long RETENTION_MILLIS = 1_000;
  private static final long FOLD_INTERVAL_MILLIS = 100;

  @TempDir Path data;
  @TempDir Path offline;
  private LocalRegions regions;
  private List<FaultProxy> proxies;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void startRegions() throws Exception {
    regions =
        new LocalRegions(
            data,
            RETENTION_MILLIS,
            config -> config.withCheckpointIntervalMillis(FOLD_INTERVAL_MILLIS));
    proxies = regions.proxies();
  }

  @AfterEach
  void stopRegions() {
    proxies.forEach(FaultProxy::close);
    regions.close();
  }

  /** An offline client through the proxies; no status polls, so a lost answer is an update's. */
  private Meridian offlineClient() {
    return LocalRegions.builderThrough(proxies)
        .offlineDirectory(offline)
        .requestTimeout(Duration.ofSeconds(2))
        .backoff(Duration.ofMillis(20), Duration.ofMillis(200))
        .visibilityPoll(Duration.ofHours(1))
        .build();
  }

  /** r1 applies what it gets and the answer is lost; r2 and r3 cannot be reached. */
  private void onlyR1LosingAnswers() {
    proxies.get(0).mode(FaultProxy.Mode.LOSE_ANSWER);
    proxies.get(1).mode(FaultProxy.Mode.DOWN);
    proxies.get(2).mode(FaultProxy.Mode.DOWN);
  }

  private void awaitLostAnswer() throws InterruptedException {
    long deadline = System.currentTimeMillis() + 30_000;
    while (proxies.get(0).lostUpdateAnswers.get() == 0) {
      assertThat(System.currentTimeMillis()).as("r1 got the update").isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private int post(int region, String path, String body) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(regions.url(region) + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  private static final String LEGACY_INCREMENT =
      "{\"type\":\"pn-counter\",\"op\":\"increment\",\"by\":1,\"id\":\"legacy-client.1\"}";

  /**
   * The control: the same increment with the same per-key operation id, sent by raw HTTP to r1 and,
   * once r1 applied it, repeated at r2 until r2 counts it again. r2 deduplicates it while it
   * remembers the id; once the retention is over and the id folded away, it counts it a second
   * time. Returns once the second count happened: from then on the regions have forgotten every id
   * applied before the control's.
   */
  private void legacyIdCountsTwiceOnceForgotten() throws Exception {
    String path = Transport.keyPath("b", "legacy");
    assertThat(post(0, path, LEGACY_INCREMENT)).isEqualTo(200);
    awaitEverywhere(reader -> reader.counter("b", "legacy").value(), 1L);
    long deadline = System.currentTimeMillis() + 60_000;
    long value = 1;
    while (value == 1) {
      assertThat(System.currentTimeMillis())
          .as("r2 forgets the operation id after the retention")
          .isLessThan(deadline);
      Thread.sleep(200);
      assertThat(post(1, path, LEGACY_INCREMENT)).isEqualTo(200);
      value = direct(1, reader -> reader.counter("b", "legacy").value());
    }
    assertThat(value).as("the old per-key id form counts a late retry twice").isEqualTo(2);
  }

  private <T> T direct(int region, Function<Meridian, T> read) {
    try (Meridian reader =
        Meridian.builder()
            .region(LocalRegions.NAMES.get(region), regions.url(region))
            .guarantees(Set.of())
            .build()) {
      return read.apply(reader);
    }
  }

  /** Reads at every region directly until all show {@code expected}, or fails. */
  private <T> void awaitEverywhere(Function<Meridian, T> read, T expected)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + 30_000;
    List<T> values = new ArrayList<>();
    while (System.currentTimeMillis() < deadline) {
      values.clear();
      for (int i = 0; i < regions.size(); i++) {
        values.add(direct(i, read));
      }
      if (values.stream().allMatch(expected::equals)) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("not " + expected + " everywhere: " + values);
  }

  @Test
  void aLostAnswerRetriedAtAnotherRegionAfterTheRetentionCountsOnce() throws Exception {
    onlyR1LosingAnswers();
    try (Meridian client = offlineClient()) {
      client.counter("b", "late").increment(1);
      awaitLostAnswer();
      // Offline: nothing answers while the regions forget.
      proxies.get(0).mode(FaultProxy.Mode.DOWN);
      awaitEverywhere(reader -> reader.counter("b", "late").value(), 1L);
      legacyIdCountsTwiceOnceForgotten();
      assertThat(client.syncStatus().pendingUpdates()).isEqualTo(1);

      proxies.get(1).mode(FaultProxy.Mode.FORWARD);
      assertThat(client.awaitSynced(Duration.ofSeconds(30))).isTrue();
      assertThat(proxies.get(1).requests.get()).isPositive();
      assertThat(client.syncStatus().rejectedUpdates()).isZero();
      client.counter("b", "late").increment(10);
      assertThat(client.awaitSynced(Duration.ofSeconds(30))).isTrue();
      awaitEverywhere(reader -> reader.counter("b", "late").value(), 11L);
    }
  }

  @Test
  void aQueueDrainedAfterTheRetentionCountsEachUpdateOnce() throws Exception {
    onlyR1LosingAnswers();
    try (Meridian client = offlineClient()) {
      Counter orders = client.counter("b", "orders");
      Counter items = client.counter("b", "items");
      ReplicatedList<String> log = client.list("b", "log", Codec.strings());
      // A batch is one sequence number: applied at r1, its answer lost.
      client.batch(
          orders.incrementUpdate(1),
          items.incrementUpdate(2),
          log.insertUpdate(0, List.of("first")));
      awaitLostAnswer();
      proxies.get(0).mode(FaultProxy.Mode.DOWN);
      orders.increment(10);
      log.insert(1, "second");
      client.batch(items.incrementUpdate(20), log.insertUpdate(2, List.of("third")));
      assertThat(orders.value()).isEqualTo(11);
      assertThat(log.values()).containsExactly("first", "second", "third");
      awaitEverywhere(reader -> reader.counter("b", "orders").value(), 1L);
      legacyIdCountsTwiceOnceForgotten();
      // Queue entries: the lost batch, two updates, a batch.
      assertThat(client.syncStatus().pendingUpdates()).isEqualTo(4);

      proxies.get(1).mode(FaultProxy.Mode.FORWARD);
      proxies.get(2).mode(FaultProxy.Mode.FORWARD);
      assertThat(client.awaitSynced(Duration.ofSeconds(30))).isTrue();
      assertThat(client.syncStatus().rejectedUpdates()).isZero();
      awaitEverywhere(reader -> reader.counter("b", "orders").value(), 11L);
      awaitEverywhere(reader -> reader.counter("b", "items").value(), 22L);
      awaitEverywhere(
          reader -> reader.list("b", "log", Codec.strings()).values(),
          List.of("first", "second", "third"));
    }
  }
}
