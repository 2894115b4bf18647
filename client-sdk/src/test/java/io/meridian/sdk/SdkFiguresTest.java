package io.meridian.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's figures, measured on demand ({@code -Dmeridian.figures=true}), never in CI: one
 * client against three regions in this JVM on loopback, side by side with raw HTTP calls; the
 * batched path; local update latency offline; queue drain rate. Prints, asserts only that the work
 * was done.
 */
@EnabledIfSystemProperty(named = "meridian.figures", matches = "true")
class SdkFiguresTest {
  private static final int CALLS = 2_000;

  @TempDir Path data;
  @TempDir Path offline;

  @Test
  void measure() throws Exception {
    try (LocalRegions regions = new LocalRegions(data);
        Meridian client = regions.builder().build()) {
      Counter counter = client.counter("figures", "sync");
      warm(counter);
      long started = System.nanoTime();
      for (int i = 0; i < CALLS; i++) {
        counter.increment(1);
      }
      print("SDK sync increments", CALLS, started);

      Counter async = client.counter("figures", "async");
      started = System.nanoTime();
      List<CompletableFuture<WriteReceipt>> receipts = new ArrayList<>();
      for (int i = 0; i < CALLS; i++) {
        receipts.add(async.incrementAsync(1));
      }
      receipts.forEach(CompletableFuture::join);
      print("SDK async increments (sent one after another)", CALLS, started);

      started = System.nanoTime();
      for (int i = 0; i < CALLS; i++) {
        counter.value();
      }
      print("SDK sync reads", CALLS, started);

      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      HttpRequest post =
          HttpRequest.newBuilder(URI.create(regions.url(0) + "/v1/buckets/figures/keys/raw"))
              .header("Content-Type", "application/json")
              .POST(
                  HttpRequest.BodyPublishers.ofString(
                      "{\"type\":\"pn-counter\",\"op\":\"increment\"}"))
              .build();
      started = System.nanoTime();
      for (int i = 0; i < CALLS; i++) {
        http.send(post, HttpResponse.BodyHandlers.ofString());
      }
      print("raw HTTP sync increments", CALLS, started);
      started = System.nanoTime();
      List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
      for (int i = 0; i < CALLS; i++) {
        answers.add(http.sendAsync(post, HttpResponse.BodyHandlers.ofString()));
      }
      answers.forEach(CompletableFuture::join);
      print("raw HTTP async increments (all in flight)", CALLS, started);

      Counter batched = client.counter("figures", "batched");
      List<Update> batch = new ArrayList<>();
      List<Update> spread = new ArrayList<>();
      for (int i = 0; i < Meridian.ITEMS_PER_REQUEST_MAX; i++) {
        batch.add(batched.incrementUpdate(1));
        spread.add(client.counter("figures", "spread-" + i).incrementUpdate(1));
      }
      int batches = 20;
      started = System.nanoTime();
      for (int i = 0; i < batches; i++) {
        client.batchAsync(batch).join();
      }
      print(
          "SDK batched increments (1,000 of one counter per batch)",
          batches * batch.size(),
          started);
      started = System.nanoTime();
      for (int i = 0; i < batches; i++) {
        client.batchAsync(spread).join();
      }
      print("SDK batched increments (1,000 counters per batch)", batches * spread.size(), started);
      assertThat(batched.value()).isEqualTo((long) batches * batch.size());
    }
    try (LocalRegions regions = new LocalRegions(data.resolve("offline"))) {
      int updates = 1_000;
      int closedPort;
      try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
        closedPort = free.getLocalPort();
      }
      try (Meridian client =
          Meridian.builder()
              .region("r1", "http://127.0.0.1:" + closedPort)
              .offlineDirectory(offline)
              .build()) {
        Counter counter = client.counter("figures", "offline");
        long[] nanos = new long[updates];
        long started = System.nanoTime();
        for (int i = 0; i < updates; i++) {
          long one = System.nanoTime();
          counter.increment(1);
          nanos[i] = System.nanoTime() - one;
        }
        print("offline updates (durable locally)", updates, started);
        Arrays.sort(nanos);
        System.out.printf(
            "offline update latency: p50 %.2f ms, p99 %.2f ms%n",
            nanos[updates / 2] / 1e6, nanos[updates * 99 / 100] / 1e6);
      }
      try (Meridian client = regions.builder().offlineDirectory(offline).build()) {
        long started = System.nanoTime();
        assertThat(client.awaitSynced(Duration.ofMinutes(5))).isTrue();
        print("queue drain after reconnecting", updates, started);
        assertThat(client.counter("figures", "offline").value()).isEqualTo(updates);
      }
    }
  }

  private static void warm(Counter counter) {
    for (int i = 0; i < 200; i++) {
      counter.increment(1);
      counter.value();
    }
  }

  private static void print(String what, long count, long startedNanos) {
    double seconds = (System.nanoTime() - startedNanos) / 1e9;
    System.out.printf("%s: %d in %.2f s, %.0f/s%n", what, count, seconds, count / seconds);
  }
}
