package io.meridian.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Offline mode against three real regions that a proxy makes unreachable: updates apply at once to
 * the local replica and are durable before the call returns, reads include them, the queue survives
 * a restart of the client, is bounded, and is sent exactly once when a region answers.
 */
class OfflineTest extends ProxiedRegions {
  @TempDir Path offline;

  @BeforeEach
  void regionsUnreachable() {
    proxies.forEach(proxy -> proxy.mode(FaultProxy.Mode.DOWN));
  }

  private Meridian offlineClient() {
    return LocalRegions.builderThrough(proxies)
        .offlineDirectory(offline)
        .requestTimeout(Duration.ofSeconds(2))
        .backoff(Duration.ofMillis(20), Duration.ofMillis(200))
        .visibilityPoll(Duration.ofMillis(50))
        .build();
  }

  private void regionsReachable() {
    proxies.forEach(proxy -> proxy.mode(FaultProxy.Mode.FORWARD));
  }

  @Test
  void updatesApplyLocallyAtOnceAndLeaveExactlyOnceWhenARegionAnswers() throws Exception {
    try (Meridian client = offlineClient()) {
      Counter counter = client.counter("b", "offline");
      WriteReceipt first = counter.increment(1);
      counter.increment(1);
      assertThat(first.durableLocally()).isTrue();
      assertThat(first.accepted()).isNotDone();
      assertThat(counter.value()).isEqualTo(2);

      ElementSet<String> set = client.addWinsSet("b", "set", Codec.strings());
      set.add("a", "b");
      set.remove("a");
      assertThat(set.elements()).containsExactly("b");
      ObservedRemoveMap map = client.map("b", "map");
      map.counter("n").increment(4);
      map.register("title", Codec.strings()).assign("draft");
      assertThat(map.counter("n").value()).isEqualTo(4);
      assertThat(map.register("title", Codec.strings()).value()).contains("draft");
      ReplicatedList<String> list = client.list("b", "list", Codec.strings());
      list.insert(0, "x", "z");
      list.insert(1, "y");
      assertThat(list.values()).containsExactly("x", "y", "z");
      Snapshot snapshot = client.read(counter, set);
      assertThat(snapshot.region()).isEqualTo("local");
      assertThat(counter.valueIn(snapshot)).isEqualTo(2);

      SyncStatus status = client.syncStatus();
      assertThat(status.pendingUpdates()).isEqualTo(8);
      assertThat(status.pendingBytes()).isPositive();
      assertThat(status.regions().values()).noneMatch(SyncStatus.RegionState::reachable);

      regionsReachable();
      assertThat(client.awaitSynced(Duration.ofSeconds(30))).isTrue();
      assertThat(first.accepted().join()).isIn(LocalRegions.NAMES);
      first.visibleEverywhere().orTimeout(30, java.util.concurrent.TimeUnit.SECONDS).join();
      assertThat(counter.value()).isEqualTo(2);
      assertThat(set.elements()).containsExactly("b");
      assertThat(map.counter("n").value()).isEqualTo(4);
      assertThat(list.values()).containsExactly("x", "y", "z");
      assertThat(client.syncStatus().pendingUpdates()).isZero();
    }
    try (Meridian direct = regions.builder().build()) {
      assertThat(direct.counter("b", "offline").value()).isEqualTo(2);
      assertThat(direct.list("b", "list", Codec.strings()).values()).containsExactly("x", "y", "z");
    }
  }

  @Test
  void theSyncStatusPublisherReportsThePendingUpdatesAndTheirDrain() throws Exception {
    try (Meridian client = offlineClient()) {
      java.util.concurrent.BlockingQueue<SyncStatus> statuses =
          new java.util.concurrent.LinkedBlockingQueue<>();
      client
          .syncStatusPublisher()
          .subscribe(
              new java.util.concurrent.Flow.Subscriber<>() {
                @Override
                public void onSubscribe(java.util.concurrent.Flow.Subscription subscription) {
                  subscription.request(Long.MAX_VALUE);
                }

                @Override
                public void onNext(SyncStatus status) {
                  statuses.add(status);
                }

                @Override
                public void onError(Throwable error) {}

                @Override
                public void onComplete() {}
              });
      client.counter("b", "published").increment(1);
      SyncStatus pending = awaitStatus(statuses, status -> status.pendingUpdates() == 1);
      assertThat(pending.pendingBytes()).isPositive();
      regionsReachable();
      SyncStatus drained =
          awaitStatus(
              statuses, status -> status.pendingUpdates() == 0 && status.lastSync().isPresent());
      assertThat(drained.pendingBytes()).isZero();
      assertThat(drained.oldestPendingAge()).isZero();
    }
  }

  private static SyncStatus awaitStatus(
      java.util.concurrent.BlockingQueue<SyncStatus> statuses,
      java.util.function.Predicate<SyncStatus> wanted)
      throws InterruptedException {
    while (true) {
      SyncStatus status = statuses.poll(30, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(status).as("a status was published").isNotNull();
      if (wanted.test(status)) {
        return status;
      }
    }
  }

  @Test
  void theQueueSurvivesARestartAndTheClientKeepsItsIdentity() throws Exception {
    String clientId;
    try (Meridian client = offlineClient()) {
      clientId = client.clientId();
      client.counter("b", "restart").increment(5);
      client.growOnlySet("b", "seen", Codec.strings()).add("one");
    }
    try (Meridian client = offlineClient()) {
      assertThat(client.clientId()).isEqualTo(clientId);
      assertThat(client.syncStatus().pendingUpdates()).isEqualTo(2);
      assertThat(client.counter("b", "restart").value()).isEqualTo(5);
      WriteReceipt third = client.counter("b", "restart").increment(1);
      assertThat(third.sequence()).isEqualTo(3);
      assertThat(third.operationId()).isEqualTo(clientId + ".3");
      regionsReachable();
      assertThat(client.awaitSynced(Duration.ofSeconds(30))).isTrue();
      assertThat(client.counter("b", "restart").value()).isEqualTo(6);
      assertThat(client.growOnlySet("b", "seen", Codec.strings()).elements())
          .containsExactly("one");
    }
  }

  @Test
  void aFullQueueRefusesClearlyAndChangesNothing() throws Exception {
    try (Meridian client =
        LocalRegions.builderThrough(proxies)
            .offlineDirectory(offline)
            .queueEntriesMax(2)
            .requestTimeout(Duration.ofSeconds(1))
            .build()) {
      Counter counter = client.counter("b", "full");
      counter.increment(1);
      counter.increment(1);
      assertThatThrownBy(() -> counter.increment(1))
          .isInstanceOf(MeridianException.QueueFull.class)
          .hasMessageContaining("queueEntriesMax");
      assertThat(counter.value()).isEqualTo(2);
      assertThat(client.syncStatus().pendingUpdates()).isEqualTo(2);
    }
  }

  @Test
  void anUpdateThatDoesNotFitTheLocalReplicaIsRefusedAtOnce() throws Exception {
    try (Meridian client = offlineClient()) {
      client.counter("b", "typed").increment(1);
      assertThatThrownBy(() -> client.addWinsSet("b", "typed", Codec.strings()).add("x"))
          .isInstanceOf(MeridianException.TypeMismatch.class);
      assertThatThrownBy(() -> client.list("b", "short", Codec.strings()).delete(0, 1))
          .isInstanceOf(MeridianException.BadRequest.class);
      assertThat(client.syncStatus().pendingUpdates()).isEqualTo(1);
    }
  }

  @Test
  void aSecondClientCannotOpenTheSameDirectory() {
    try (Meridian client = offlineClient()) {
      assertThatThrownBy(this::offlineClient)
          .isInstanceOf(MeridianException.LocalStoreFailure.class);
    }
    assertThat(Set.of()).isEmpty();
  }
}
