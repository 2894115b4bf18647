package io.meridian.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * Random sequences of SDK calls against three real regions while regions go down (stopped and
 * started again in process), become unreachable or lose answers, so the client fails over and back.
 * On every read: read your writes (every acknowledged update shows), monotonic reads (no read shows
 * less than an earlier one) and at most once (nothing shows that was not submitted, no increment
 * counts twice). At the end, with every region back: every submitted update shows exactly once, at
 * every region. The second property runs an offline client (a directory) that the application also
 * closes and opens again on the same directory, and takes through offline stretches (every region
 * unreachable while it keeps writing and reading). jqwik prints the seed of a failing run.
 */
class SessionPropertyTest {
  private static Path data;
  private static LocalRegions regions;
  private static List<FaultProxy> proxies;
  private static int tryNumber;
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  sealed interface Action
      permits Increment,
          Add,
          ReadCounter,
          ReadSet,
          Snapshot,
          Batch,
          Proxy,
          Restart,
          AppRestart,
          AllDown,
          AllUp {}

  record Increment(int by) implements Action {}

  record Add(int element) implements Action {}

  record ReadCounter() implements Action {}

  record ReadSet() implements Action {}

  record Snapshot() implements Action {}

  record Batch(int by, int element) implements Action {}

  record Proxy(int region, FaultProxy.Mode mode) implements Action {}

  record Restart(int region) implements Action {}

  /** The application closes its client and opens a new one on the same offline directory. */
  record AppRestart() implements Action {}

  /** Every region unreachable: an offline stretch, until {@link AllUp} or a {@link Proxy}. */
  record AllDown() implements Action {}

  /** Every region reachable again. */
  record AllUp() implements Action {}

  @BeforeContainer
  static void startRegions() throws Exception {
    data = Files.createTempDirectory("meridian-sdk-property");
    regions = new LocalRegions(data);
    proxies = regions.proxies();
  }

  @AfterContainer
  static void stopRegions() throws IOException {
    proxies.forEach(FaultProxy::close);
    regions.close();
    try (Stream<Path> paths = Files.walk(data)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
  }

  @Provide
  Arbitrary<List<Action>> actions() {
    return Arbitraries.frequencyOf(common()).list().ofMinSize(5).ofMaxSize(25);
  }

  @Provide
  Arbitrary<List<Action>> offlineActions() {
    List<Tuple2<Integer, Arbitrary<Action>>> choices = new ArrayList<>(common());
    choices.add(weight(4, Arbitraries.just(new AppRestart())));
    choices.add(weight(3, Arbitraries.just(new AllDown())));
    choices.add(weight(2, Arbitraries.just(new AllUp())));
    return Arbitraries.frequencyOf(choices).list().ofMinSize(10).ofMaxSize(40);
  }

  private static List<Tuple2<Integer, Arbitrary<Action>>> common() {
    return List.of(
        weight(5, Arbitraries.integers().between(1, 5).map(Increment::new)),
        weight(3, Arbitraries.integers().between(0, 9).map(Add::new)),
        weight(4, Arbitraries.just(new ReadCounter())),
        weight(2, Arbitraries.just(new ReadSet())),
        weight(2, Arbitraries.just(new Snapshot())),
        weight(
            2,
            Combinators.combine(
                    Arbitraries.integers().between(1, 5), Arbitraries.integers().between(0, 9))
                .as(Batch::new)),
        weight(
            3,
            Combinators.combine(
                    Arbitraries.integers().between(0, 2), Arbitraries.of(FaultProxy.Mode.class))
                .as(Proxy::new)),
        weight(1, Arbitraries.integers().between(0, 2).map(Restart::new)));
  }

  private static Tuple2<Integer, Arbitrary<Action>> weight(
      int weight, Arbitrary<? extends Action> action) {
    return Tuple.of(weight, action.map(Action.class::cast));
  }

  /** What the client submitted and what regions acknowledged, and what its reads showed. */
  private static final class Model {
    long submittedSum;
    long acknowledgedSum;
    long lastReadSum;
    final Set<String> submitted = new LinkedHashSet<>();
    final Set<String> acknowledged = new LinkedHashSet<>();
    Set<String> lastReadSet = Set.of();

    void checkCounter(long value) {
      assertThat(value).as("read your writes").isGreaterThanOrEqualTo(acknowledgedSum);
      assertThat(value).as("monotonic reads").isGreaterThanOrEqualTo(lastReadSum);
      assertThat(value).as("at most once").isLessThanOrEqualTo(submittedSum);
      lastReadSum = value;
    }

    void checkSet(Set<String> value) {
      assertThat(value).as("read your writes").containsAll(acknowledged);
      assertThat(value).as("monotonic reads").containsAll(lastReadSet);
      assertThat(submitted).as("nothing unsubmitted").containsAll(value);
      lastReadSet = value;
    }
  }

  @Property(tries = 6, shrinking = ShrinkingMode.OFF)
  void sessionGuaranteesAndExactlyOnceHoldThroughOutagesAndFailovers(
      @ForAll("actions") List<Action> actions) throws Exception {
    check(actions, null);
  }

  @Property(tries = 6, shrinking = ShrinkingMode.OFF)
  void anOfflineClientKeepsThemThroughApplicationRestartsAndOfflineStretches(
      @ForAll("offlineActions") List<Action> actions) throws Exception {
    Path directory = Files.createTempDirectory(data, "offline");
    Statistics.label("application restarts")
        .collect(actions.stream().filter(AppRestart.class::isInstance).count());
    Statistics.label("offline stretches")
        .collect(actions.stream().filter(AllDown.class::isInstance).count());
    check(actions, directory);
  }

  /**
   * Runs {@code actions} with one application: an online client, or an offline one on {@code
   * directory} that {@link AppRestart} closes and opens again. Then every region back: the queue
   * drains and every submitted update shows exactly once, through the client and at each region.
   */
  private static void check(List<Action> actions, Path directory) throws Exception {
    String key = "try" + (++tryNumber);
    Model model = new Model();
    try (App app = new App(key, directory)) {
      for (Action action : actions) {
        run(action, app, model);
      }
      proxies.forEach(proxy -> proxy.mode(FaultProxy.Mode.FORWARD));
      for (int i = 0; i < regions.size(); i++) {
        regions.start(i);
      }
      assertThat(app.client.awaitSynced(Duration.ofSeconds(60))).as("the queue drained").isTrue();
      long value = readWhenAvailable(app.counter::value);
      assertThat(value).as("exactly once, %s", actions).isEqualTo(model.submittedSum);
      assertThat(readWhenAvailable(app.set::elements)).isEqualTo(model.submitted);
    }
    for (int i = 0; i < regions.size(); i++) {
      awaitAtRegion(i, key, model.submittedSum, actions);
    }
  }

  /**
   * Waits until region {@code index} shows {@code expected} for the counter (replication may lag),
   * never more than that, for 30 s at most.
   */
  private static void awaitAtRegion(int index, String key, long expected, List<Action> actions)
      throws Exception {
    HttpRequest get =
        HttpRequest.newBuilder(URI.create(regions.url(index) + "/v1/buckets/property/keys/" + key))
            .build();
    long deadline = System.currentTimeMillis() + 30_000;
    long value = -1;
    while (System.currentTimeMillis() < deadline) {
      HttpResponse<String> answer = HTTP.send(get, HttpResponse.BodyHandlers.ofString());
      value = answer.statusCode() == 200 ? JSON.readTree(answer.body()).path("value").asLong() : 0;
      assertThat(value)
          .as("at most once at region %d, %s", index, actions)
          .isLessThanOrEqualTo(expected);
      if (value == expected) {
        return;
      }
      Thread.sleep(50);
    }
    assertThat(value).as("exactly once at region %d, %s", index, actions).isEqualTo(expected);
  }

  /** The application: its client and handles, opened again on the same directory by a restart. */
  private static final class App implements AutoCloseable {
    final String key;
    final Path directory;
    Meridian client;
    Counter counter;
    GrowOnlySet<String> set;

    App(String key, Path directory) {
      this.key = key;
      this.directory = directory;
      open();
    }

    private void open() {
      Meridian.Builder builder =
          LocalRegions.builderThrough(proxies)
              .requestTimeout(Duration.ofSeconds(2))
              .sessionWait(Duration.ofMillis(200));
      if (directory != null) {
        builder.offlineDirectory(directory);
      }
      client = builder.build();
      counter = client.counter("property", key);
      set = client.growOnlySet("property", key + "-set", Codec.strings());
    }

    void restart() {
      client.close();
      open();
    }

    @Override
    public void close() {
      client.close();
    }
  }

  private static void run(Action action, App app, Model model) throws Exception {
    Meridian client = app.client;
    Counter counter = app.counter;
    GrowOnlySet<String> set = app.set;
    try {
      if (action instanceof Increment increment) {
        model.submittedSum += increment.by();
        counter.increment(increment.by());
        model.acknowledgedSum += increment.by();
      } else if (action instanceof Add add) {
        String element = "e" + add.element();
        model.submitted.add(element);
        set.add(element);
        model.acknowledged.add(element);
      } else if (action instanceof Batch batch) {
        String element = "e" + batch.element();
        model.submittedSum += batch.by();
        model.submitted.add(element);
        if (batch.by() == 1) {
          client.batch(counter.incrementUpdate(1), set.addUpdate(List.of(element)));
        } else {
          // Two increments of one counter: the SDK sends them coalesced, which must count once.
          client.batch(
              counter.incrementUpdate(batch.by() - 1),
              set.addUpdate(List.of(element)),
              counter.incrementUpdate(1));
        }
        model.acknowledgedSum += batch.by();
        model.acknowledged.add(element);
      } else if (action instanceof ReadCounter) {
        model.checkCounter(counter.value());
      } else if (action instanceof ReadSet) {
        model.checkSet(set.elements());
      } else if (action instanceof Snapshot) {
        io.meridian.sdk.Snapshot snapshot = client.read(counter, set);
        model.checkCounter(counter.valueIn(snapshot));
        model.checkSet(set.elementsIn(snapshot));
      } else if (action instanceof Proxy proxy) {
        proxies.get(proxy.region()).mode(proxy.mode());
      } else if (action instanceof Restart restart) {
        regions.stop(restart.region());
        regions.start(restart.region());
      } else if (action instanceof AppRestart) {
        app.restart();
      } else if (action instanceof AllDown) {
        proxies.forEach(proxy -> proxy.mode(FaultProxy.Mode.DOWN));
      } else if (action instanceof AllUp) {
        proxies.forEach(proxy -> proxy.mode(FaultProxy.Mode.FORWARD));
      }
    } catch (MeridianException.Unavailable e) {
      // Allowed: no region could serve the call in time. A queued update stays queued.
    }
  }

  private interface Read<T> {
    T read();
  }

  private static <T> T readWhenAvailable(Read<T> read) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 30_000;
    while (true) {
      try {
        return read.read();
      } catch (MeridianException.Unavailable e) {
        if (System.currentTimeMillis() > deadline) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }
}
