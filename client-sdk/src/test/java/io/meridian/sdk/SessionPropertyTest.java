package io.meridian.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random sequences of SDK calls against three real regions while regions go down (stopped and
 * started again in process), become unreachable or lose answers, so the client fails over and back.
 * On every read: read your writes (every acknowledged update shows), monotonic reads (no read shows
 * less than an earlier one) and at most once (nothing shows that was not submitted, no increment
 * counts twice). At the end, with every region back: every submitted update shows exactly once, at
 * every region. jqwik prints the seed of a failing run.
 */
class SessionPropertyTest {
  private static Path data;
  private static LocalRegions regions;
  private static List<FaultProxy> proxies;
  private static int tryNumber;

  sealed interface Action
      permits Increment, Add, ReadCounter, ReadSet, Snapshot, Batch, Proxy, Restart {}

  record Increment(int by) implements Action {}

  record Add(int element) implements Action {}

  record ReadCounter() implements Action {}

  record ReadSet() implements Action {}

  record Snapshot() implements Action {}

  record Batch(int by, int element) implements Action {}

  record Proxy(int region, FaultProxy.Mode mode) implements Action {}

  record Restart(int region) implements Action {}

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
    Arbitrary<Action> action =
        Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(5, Arbitraries.integers().between(1, 5).map(Increment::new)),
            net.jqwik.api.Tuple.of(3, Arbitraries.integers().between(0, 9).map(Add::new)),
            net.jqwik.api.Tuple.of(4, Arbitraries.just(new ReadCounter())),
            net.jqwik.api.Tuple.of(2, Arbitraries.just(new ReadSet())),
            net.jqwik.api.Tuple.of(2, Arbitraries.just(new Snapshot())),
            net.jqwik.api.Tuple.of(
                2,
                net.jqwik.api.Combinators.combine(
                        Arbitraries.integers().between(1, 5), Arbitraries.integers().between(0, 9))
                    .as(Batch::new)),
            net.jqwik.api.Tuple.of(
                3,
                net.jqwik.api.Combinators.combine(
                        Arbitraries.integers().between(0, 2), Arbitraries.of(FaultProxy.Mode.class))
                    .as(Proxy::new)),
            net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0, 2).map(Restart::new)));
    return action.list().ofMinSize(5).ofMaxSize(25);
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
    String key = "try" + (++tryNumber);
    Model model = new Model();
    try (Meridian client =
        LocalRegions.builderThrough(proxies)
            .requestTimeout(Duration.ofSeconds(2))
            .sessionWait(Duration.ofMillis(200))
            .build()) {
      Counter counter = client.counter("property", key);
      GrowOnlySet<String> set = client.growOnlySet("property", key + "-set", Codec.strings());
      for (Action action : actions) {
        run(action, client, counter, set, model);
      }
      proxies.forEach(proxy -> proxy.mode(FaultProxy.Mode.FORWARD));
      for (int i = 0; i < regions.size(); i++) {
        regions.start(i);
      }
      assertThat(client.awaitSynced(Duration.ofSeconds(60))).as("the queue drained").isTrue();
      long value = readWhenAvailable(counter::value);
      assertThat(value).as("exactly once, %s", actions).isEqualTo(model.submittedSum);
      assertThat(readWhenAvailable(set::elements)).isEqualTo(model.submitted);
    }
  }

  private static void run(
      Action action, Meridian client, Counter counter, GrowOnlySet<String> set, Model model)
      throws Exception {
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
        client.batch(counter.incrementUpdate(batch.by()), set.addUpdate(List.of(element)));
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
