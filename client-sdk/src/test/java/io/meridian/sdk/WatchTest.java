package io.meridian.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code watch} against three real regions: every change of a key arrives, in order, across a
 * forced disconnect (the region holding the stream stops) and the resume at another region; an
 * offline client's replica of a watched key stays fresh without reading it.
 */
class WatchTest {
  @TempDir Path data;
  @TempDir Path offline;
  private LocalRegions regions;

  @BeforeEach
  void startRegions() throws Exception {
    regions = new LocalRegions(data);
  }

  @AfterEach
  void stopRegions() {
    regions.close();
  }

  private Meridian.Builder homeAt(int home) {
    Meridian.Builder builder = Meridian.builder();
    for (int i = 0; i < regions.size(); i++) {
      int index = (home + i) % regions.size();
      builder.region(LocalRegions.NAMES.get(index), regions.url(index));
    }
    return builder
        .requestTimeout(Duration.ofSeconds(5))
        .sessionWait(Duration.ofSeconds(2))
        .backoff(Duration.ofMillis(20), Duration.ofMillis(300))
        .visibilityPoll(Duration.ofHours(1));
  }

  private static <T> void await(java.util.function.Supplier<T> value, T expected, String what)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + 30_000;
    while (!expected.equals(value.get())) {
      assertThat(System.currentTimeMillis()).as(what + ": " + value.get()).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  @Test
  void noChangeIsMissedOrReorderedAcrossAForcedDisconnectAndResume() throws Exception {
    int writes = 40;
    List<List<String>> seen = new CopyOnWriteArrayList<>();
    try (Meridian watcher = homeAt(0).build();
        Meridian writer = homeAt(1).build()) {
      ReplicatedList<String> feed = writer.list("w", "feed", Codec.strings());
      ReplicatedList<String> watched = watcher.list("w", "feed", Codec.strings());
      Watch watch = watcher.watch(watched, snapshot -> seen.add(watched.valuesIn(snapshot)));
      for (int i = 1; i <= writes; i++) {
        feed.insert(0, "v" + i);
        if (i == writes / 2) {
          await(() -> seen.isEmpty() ? 0 : seen.get(seen.size() - 1).size(), i, "half seen");
          regions.stop(0); // the stream's region goes away with the stream
        }
      }
      await(() -> seen.get(seen.size() - 1).size(), writes, "every write seen");
      assertThat(watch.connections()).as("the watch reconnected").isGreaterThanOrEqualTo(2);
      int previous = 0;
      for (List<String> values : seen) {
        assertThat(values.size()).as("never back: %s", seen).isGreaterThanOrEqualTo(previous);
        List<String> expected = new ArrayList<>();
        for (int v = values.size(); v >= 1; v--) {
          expected.add("v" + v);
        }
        assertThat(values).as("a state the writes went through").isEqualTo(expected);
        previous = values.size();
      }
      watch.close();
      assertThat(watch.isOpen()).isFalse();
    }
  }

  @Test
  void theOfflineReplicaOfAWatchedKeyStaysFresh() throws Exception {
    try (Meridian app = homeAt(0).offlineDirectory(offline).build();
        Meridian other = homeAt(1).build()) {
      Counter mine = app.counter("w", "stock");
      List<Long> seen = new CopyOnWriteArrayList<>();
      try (Watch watch = app.watch(mine, snapshot -> seen.add(mine.valueIn(snapshot)))) {
        Counter theirs = other.counter("w", "stock");
        for (int i = 0; i < 5; i++) {
          theirs.increment(1);
        }
        await(() -> seen.isEmpty() ? 0L : seen.get(seen.size() - 1), 5L, "the watch saw 5");
        assertThat(watch.failure()).isEmpty();
      }
      for (int i = 0; i < regions.size(); i++) {
        regions.stop(i);
      }
      // Never read: the replica holds 5 because the watch kept it fresh.
      assertThat(mine.value()).isEqualTo(5);
      mine.increment(1);
      assertThat(mine.value()).isEqualTo(6);
    }
  }

  @Test
  void oneWatchFollowsTheKeysOfSeveralHandlesOnOneStream() throws Exception {
    try (Meridian writer = homeAt(1).build();
        Meridian watcher = homeAt(0).build()) {
      Counter apples = watcher.counter("multi", "apples");
      Counter pears = watcher.counter("multi", "pears");
      GrowOnlySet<String> names = watcher.growOnlySet("multi", "names", Codec.strings());
      List<String> seen = new CopyOnWriteArrayList<>();
      try (Watch watch =
          watcher.watch(
              List.of(apples, pears, names, apples),
              snapshot -> {
                if (snapshot.contains(apples)) {
                  seen.add("apples=" + apples.valueIn(snapshot));
                }
                if (snapshot.contains(pears)) {
                  seen.add("pears=" + pears.valueIn(snapshot));
                }
                if (snapshot.contains(names)) {
                  seen.add("names=" + names.elementsIn(snapshot));
                }
              })) {
        writer.counter("multi", "apples").increment(2);
        writer.counter("multi", "pears").increment(3);
        writer.growOnlySet("multi", "names", Codec.strings()).add("ann");
        writer.counter("multi", "apples").increment(5);
        await(() -> seen.contains("apples=7"), true, "apples 7 seen: " + seen);
        await(() -> seen.contains("pears=3"), true, "pears 3 seen: " + seen);
        await(() -> seen.contains("names=[ann]"), true, "names seen: " + seen);
        assertThat(watch.connections()).isEqualTo(1);
        assertThat(seen.indexOf("apples=2")).isLessThan(seen.indexOf("apples=7"));
      }
      assertThatThrownBy(() -> watcher.watch(List.of(), snapshot -> {}))
          .isInstanceOf(MeridianException.BadRequest.class);
      assertThatThrownBy(
              () -> watcher.watch(List.of(apples, watcher.counter("other", "x")), snapshot -> {}))
          .isInstanceOf(MeridianException.BadRequest.class);
      List<Counter> tooMany = new ArrayList<>();
      for (int i = 0; i <= Meridian.KEYS_PER_WATCH_MAX; i++) {
        tooMany.add(watcher.counter("multi", "k" + i));
      }
      assertThatThrownBy(() -> watcher.watch(tooMany, snapshot -> {}))
          .isInstanceOf(MeridianException.BadRequest.class);
    }
  }

  @Test
  void aBadKeyNameIsRefusedBeforeAnyStream() {
    try (Meridian client = homeAt(0).build()) {
      Counter counter = client.counter("w", "k".repeat(300));
      assertThatThrownBy(() -> client.watch(counter, snapshot -> {}))
          .isInstanceOf(MeridianException.BadRequest.class);
    }
  }

  @Test
  void aStreamThatFallsSilentIsTakenForDeadAndReopened() throws Exception {
    java.util.concurrent.atomic.AtomicInteger accepted =
        new java.util.concurrent.atomic.AtomicInteger();
    List<java.net.Socket> held = new CopyOnWriteArrayList<>();
    // A region that answers a stream with ready, then says nothing and keeps the connection open.
    try (java.net.ServerSocket silent =
        new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      Thread server =
          new Thread(
              () -> {
                while (!silent.isClosed()) {
                  try {
                    java.net.Socket socket = silent.accept();
                    held.add(socket);
                    accepted.incrementAndGet();
                    java.io.BufferedReader request =
                        new java.io.BufferedReader(
                            new java.io.InputStreamReader(
                                socket.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
                    String line;
                    while ((line = request.readLine()) != null && !line.isEmpty()) {
                      // the request's head
                    }
                    socket
                        .getOutputStream()
                        .write(
                            ("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                                    + "Connection: close\r\n\r\nevent: ready\ndata: {}\n\n")
                                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    socket.getOutputStream().flush();
                  } catch (java.io.IOException e) {
                    return;
                  }
                }
              });
      server.setDaemon(true);
      server.start();
      try (Meridian client =
          Meridian.builder()
              .region("quiet", "http://127.0.0.1:" + silent.getLocalPort())
              .backoff(Duration.ofMillis(20), Duration.ofMillis(100))
              .watchIdleTimeout(Duration.ofMillis(300))
              .build()) {
        Watch watch = client.watch(client.counter("w", "quiet"), snapshot -> {});
        await(() -> accepted.get() >= 3, true, "the silent stream was reopened twice");
        assertThat(watch.isOpen()).isTrue();
        assertThat(watch.connections()).isGreaterThanOrEqualTo(3);
      }
    } finally {
      for (java.net.Socket socket : held) {
        socket.close();
      }
    }
  }
}
