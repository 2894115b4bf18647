package io.meridian.server.region;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.clocks.VersionVector;
import io.meridian.crdt.CrdtRegistry;
import io.meridian.crdt.CrdtState;
import io.meridian.replication.ReplicationConfig;
import io.meridian.server.http.ApiException;
import io.meridian.server.http.ErrorCode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The region driver on one thread over in-memory fakes of its log, checkpoint store, frame sink and
 * time: every step is a method call, so each test says exactly when the disk finishes and when time
 * passes.
 */
class RegionDriverTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String INCREMENT = "{\"type\":\"g-counter\",\"op\":\"increment\"}";

  @Test
  void aWriteIsAnsweredOnlyOnceItsLogGroupIsDurable() throws Exception {
    Node solo = new Node("solo", List.of("solo"));
    CompletableFuture<RegionResult> write = solo.write("c", INCREMENT);
    solo.pumpIfWanted();
    assertThat(solo.log.groupsInFlight()).isEqualTo(1);
    assertThat(write).isNotDone();
    assertThat(solo.value("c")).isNull();

    solo.log.completeOldestGroup();
    assertThat(write).isCompleted();
    assertThat(write.get().vector()).isEqualTo(VersionVector.of("solo", 1));
    assertThat(solo.value("c").asLong()).isEqualTo(1);
  }

  @Test
  void writesThatArriveDuringAnFsyncShareTheNextGroupAndSeeEachOther() throws Exception {
    Node solo = new Node("solo", List.of("solo"));
    CompletableFuture<RegionResult> first =
        solo.write("list", "{\"type\":\"list\",\"op\":\"insert\",\"index\":0,\"values\":[\"a\"]}");
    solo.pumpIfWanted();
    // Prepared against the tentative state: index 1 exists although the first is not on disk.
    CompletableFuture<RegionResult> second =
        solo.write("list", "{\"type\":\"list\",\"op\":\"insert\",\"index\":1,\"values\":[\"b\"]}");
    CompletableFuture<RegionResult> third =
        solo.write("list", "{\"type\":\"list\",\"op\":\"insert\",\"index\":2,\"values\":[\"c\"]}");
    solo.pumpIfWanted();
    assertThat(solo.log.groupsInFlight()).isEqualTo(1);

    solo.log.completeOldestGroup();
    assertThat(first).isCompleted();
    assertThat(second).isNotDone();
    solo.pumpIfWanted();
    assertThat(solo.log.groupsInFlight()).isEqualTo(1);
    solo.log.completeOldestGroup();
    assertThat(second).isCompleted();
    assertThat(third).isCompleted();
    assertThat(solo.log.records()).hasSize(3);
    assertThat(solo.value("list").toString()).isEqualTo("[\"a\",\"b\",\"c\"]");
  }

  @Test
  void aSessionReadWaitsUntilItsTokenIsCoveredAndTimesOutInTicks() throws Exception {
    Node solo = new Node("solo", List.of("solo"));
    // Ticks of 10 ms: a wait of 25 ms is 3 ticks.
    CompletableFuture<RegionResult> covered =
        solo.driver.read(List.of(name("c")), VersionVector.of("solo", 1), 25);
    CompletableFuture<RegionResult> never =
        solo.driver.read(List.of(name("c")), VersionVector.of("solo", 5), 25);
    solo.driver.tick();
    solo.driver.tick();
    assertThat(covered).isNotDone();
    assertThat(never).isNotDone();

    solo.write("c", INCREMENT);
    solo.settle();
    assertThat(covered).isCompleted();
    assertThat(covered.get().objects().get(0).state()).isNotNull();
    assertThat(never).isNotDone();

    solo.driver.tick();
    assertThat(never).isCompletedExceptionally();
    ApiException refused = failure(never);
    assertThat(refused.code()).isEqualTo(ErrorCode.SESSION_UNAVAILABLE);
    assertThat(refused.retryAfterSeconds()).hasValue(1);
  }

  @Test
  void aRestartLoadsTheCheckpointAndReplaysOnlyTheLogAfterIt() throws Exception {
    Node solo = new Node("solo", List.of("solo"));
    for (int i = 0; i < 3; i++) {
      solo.write("c", INCREMENT);
      solo.settle();
    }
    solo.driver.checkpointAndFold();
    assertThat(solo.checkpoints.lastCheckpoint().orElseThrow().logIndex()).isEqualTo(3);
    for (int i = 0; i < 2; i++) {
      solo.write("c", INCREMENT);
      solo.settle();
    }
    solo.driver.crash();

    Node restarted = solo.restart();
    // Replaying all five records over the checkpoint's three would count eight.
    assertThat(restarted.value("c").asLong()).isEqualTo(5);
    assertThat(restarted.driver.appliedVector()).isEqualTo(VersionVector.of("solo", 5));
    CompletableFuture<RegionResult> next = restarted.write("c", INCREMENT);
    restarted.settle();
    assertThat(next.get().vector()).isEqualTo(VersionVector.of("solo", 6));
  }

  @Test
  void aWriteNotYetDurableAtACrashIsNeitherAnsweredNorRecovered() throws Exception {
    Node solo = new Node("solo", List.of("solo"));
    solo.write("c", INCREMENT);
    solo.settle();
    CompletableFuture<RegionResult> lost = solo.write("c", INCREMENT);
    solo.pumpIfWanted();
    solo.log.loseGroupsInFlight();
    solo.driver.crash();
    assertThat(lost).isNotDone();

    Node restarted = solo.restart();
    assertThat(restarted.value("c").asLong()).isEqualTo(1);
  }

  @Test
  void foldingWaitsForEveryRegionsAcknowledgement() throws Exception {
    Node a = new Node("a", List.of("a", "b"));
    Node b = new Node("b", List.of("a", "b"));
    for (int i = 0; i < 3; i++) {
      a.write("set", "{\"type\":\"aw-set\",\"op\":\"add\",\"elements\":[" + i + "]}");
      a.settle();
    }
    a.driver.checkpointAndFold();
    // b has acknowledged nothing: nothing is stable, the adds' tags stay.
    assertThat(a.contextDots("set")).isEqualTo(3);

    Network network = new Network(a, b);
    network.run(200);
    assertThat(b.value("set").size()).isEqualTo(3);
    a.driver.checkpointAndFold();
    b.driver.checkpointAndFold();
    assertThat(a.contextDots("set")).isZero();
    assertThat(b.contextDots("set")).isZero();
    assertThat(a.value("set").toString()).isEqualTo("[0,1,2]");
  }

  @Test
  void aRetryAtARegionThatGotTheUpdateInsideAStateTransferIsAnsweredAndCountsOnce()
      throws Exception {
    // Each log keeps one entry per origin, so a region cut off for three writes catches up by a
    // state transfer; the operation id of the first write must come with it, or once the states
    // have folded it away nothing at c remembers it and a retry there counts a second time.
    UnaryOperator<ReplicationConfig.Builder> small =
        builder ->
            builder
                .logEntriesPerOriginMax(1)
                .stateTransferIntervalTicks(5)
                .heartbeatIntervalTicks(2)
                .resendIntervalTicks(5)
                .digestRangeCount(4);
    List<String> regions = List.of("a", "b", "c");
    Node a = new Node("a", regions, small);
    Node b = new Node("b", regions, small);
    Node c = new Node("c", regions, small);
    for (String operationId : new String[] {"once", null, null}) {
      a.write("c", INCREMENT, operationId);
      a.settle();
    }
    new Network(a, b).run(50);
    new Network(a, b, c).run(200);
    assertThat(c.value("c").asLong()).isEqualTo(3);
    // Stable everywhere: folding drops the id from every state; only the id tables know it now.
    for (Node node : List.of(a, b, c)) {
      node.driver.checkpointAndFold();
    }
    assertThat(c.state("c").toString()).doesNotContain("once");

    CompletableFuture<RegionResult> retry = c.write("c", INCREMENT, "once");
    new Network(a, b, c).run(200);
    assertThat(retry).isCompleted();
    assertThat(c.driver.appliedVector().get("c")).as("c made no entry of its own").isZero();
    for (Node node : List.of(a, b, c)) {
      assertThat(node.value("c").asLong()).isEqualTo(3);
    }
  }

  @Test
  void aFailedGroupRefusesItsWritesAndStopsTheRegion() throws Exception {
    Node solo = new Node("solo", List.of("solo"));
    CompletableFuture<RegionResult> write = solo.write("c", INCREMENT);
    solo.pumpIfWanted();
    solo.log.failOldestGroup();
    assertThat(failure(write).code()).isEqualTo(ErrorCode.OVERLOADED);
    assertThat(solo.driver.open()).isFalse();
  }

  @Test
  void closingAnswersWaitingSessionsAndTakesALastCheckpoint() throws Exception {
    Node solo = new Node("solo", List.of("solo"));
    solo.write("c", INCREMENT);
    solo.settle();
    CompletableFuture<RegionResult> waiting =
        solo.driver.read(List.of(name("c")), VersionVector.of("solo", 9), 10_000);
    boolean[] closed = {false};
    solo.driver.close(() -> closed[0] = true);
    assertThat(failure(waiting).code()).isEqualTo(ErrorCode.OVERLOADED);
    assertThat(closed[0]).isTrue();
    assertThat(solo.checkpoints.lastCheckpoint().orElseThrow().appliedVector())
        .isEqualTo(VersionVector.of("solo", 1));
  }

  // ------------------------------------------------------------------ harness

  @Test
  void aRemoteEntryIsVisibleBeforeTheReceiversFsyncButNotAcknowledged() throws Exception {
    Node a = new Node("a", List.of("a", "b"));
    Node b = new Node("b", List.of("a", "b"));
    new Network(a, b).run(3);
    CompletableFuture<RegionResult> write = a.write("c", INCREMENT);
    a.settle();
    assertThat(write).isCompleted();
    a.settle();
    deliverTo(b, a);
    b.pumpIfWanted();
    assertThat(b.log.groupsInFlight()).isEqualTo(1);
    // Visible before b's own fsync, and a read's token names it...
    assertThat(b.value("c").asLong()).isEqualTo(1);
    RegionResult read = b.driver.read(List.of(name("c")), VersionVector.empty(), 0).get();
    assertThat(read.vector()).isEqualTo(VersionVector.of("a", 1));
    // ...but the core counts it (and tells a) only once it is on b's disk.
    assertThat(b.driver.appliedVector().get("a")).isZero();
    b.log.completeOldestGroup();
    assertThat(b.driver.appliedVector().get("a")).isEqualTo(1);
  }

  @Test
  void aTokenNamingAnUnsyncedRemoteEntryIsHonouredAfterTheReceiverCrashed() throws Exception {
    Node a = new Node("a", List.of("a", "b"));
    Node b = new Node("b", List.of("a", "b"));
    new Network(a, b).run(3);
    a.write("c", INCREMENT);
    a.settle();
    a.settle();
    deliverTo(b, a);
    b.pumpIfWanted();
    VersionVector token =
        b.driver.read(List.of(name("c")), VersionVector.empty(), 0).get().vector();
    assertThat(token).isEqualTo(VersionVector.of("a", 1));

    b.driver.crash();
    b.log.loseGroupsInFlight();
    Node restarted = b.restart();
    assertThat(restarted.value("c")).isNull();
    CompletableFuture<RegionResult> again =
        restarted.driver.read(List.of(name("c")), token, 10_000);
    assertThat(again).isNotDone();

    // a sends it again once its resend interval (100 ticks) passes without an acknowledgement.
    new Network(a, restarted).run(150);
    assertThat(again).isCompleted();
    assertThat(again.get().vector().dominates(token)).isTrue();
    RegionObject object = again.get().objects().get(0);
    assertThat(object.type().value(object.state()).asLong()).isEqualTo(1);
  }

  @Test
  void aFullLogQueueHoldsTheReadyAndOffersItAgainAtTheNextTick() throws Exception {
    Node solo = new Node("solo", List.of("solo"));
    solo.log.refuseNextAppends(2);
    CompletableFuture<RegionResult> write = solo.write("c", INCREMENT);
    solo.pumpIfWanted();
    assertThat(solo.log.groupsInFlight()).isZero();
    assertThat(solo.driver.open()).isTrue();
    solo.driver.tick();
    assertThat(solo.log.groupsInFlight()).isZero();
    solo.driver.tick();
    assertThat(solo.log.groupsInFlight()).isEqualTo(1);
    solo.log.completeOldestGroup();
    assertThat(write).isCompleted();
    assertThat(solo.driver.open()).isTrue();
    assertThat(solo.value("c").asLong()).isEqualTo(1);
  }

  @Test
  void aLogQueueFullForTooLongStopsTheRegion() throws Exception {
    Node solo = new Node("solo", List.of("solo"));
    solo.log.refuseNextAppends(Integer.MAX_VALUE);
    CompletableFuture<RegionResult> write = solo.write("c", INCREMENT);
    solo.pumpIfWanted();
    for (long tick = 0; tick < RegionDriver.LOG_OVERLOADED_TICKS_MAX; tick++) {
      solo.driver.tick();
    }
    assertThat(solo.driver.open()).isFalse();
    assertThat(failure(write).code()).isEqualTo(ErrorCode.OVERLOADED);
  }

  @Test
  void anIdleRegionCountsTicksOnlyForHeartbeatsAndEveryTickWhilePeersLackAnEntry()
      throws Exception {
    List<String> regions = List.of("a", "b");
    Node a = new Node("a", regions);
    Node b = new Node("b", regions);
    Network network = new Network(a, b);
    network.run(60);
    // Both heard each other and have the same (nothing): only the next heartbeat is due.
    long heartbeat = ReplicationConfig.builder("a", regions).build().heartbeatIntervalTicks();
    assertThat(a.driver.idleTicks()).isBetween(1L, heartbeat);
    long idle = a.driver.idleTicks();
    for (long tick = 1; tick < idle; tick++) {
      a.driver.tick();
      assertThat(a.pumpWanted).as("tick %d of %d idle ticks", tick, idle).isFalse();
    }
    a.driver.tick();
    assertThat(a.pumpWanted).as("the heartbeat is due").isTrue();
    assertThat(a.driver.idleTicks()).isZero();

    CompletableFuture<RegionResult> write = a.write("c", INCREMENT);
    assertThat(a.driver.idleTicks()).as("a write waits for the disk").isZero();
    a.settle();
    assertThat(write).isCompleted();
    // On a's disk, sent, and not yet applied by b: a must keep ticking to resend it if lost.
    a.sent.clear();
    a.sentTo.clear();
    assertThat(a.driver.idleTicks()).isZero();
    a.driver.tick();
    assertThat(a.pumpWanted).isTrue();

    ReplicationConfig defaults = ReplicationConfig.builder("a", regions).build();
    network.run(defaults.resendIntervalTicks() + defaults.heartbeatIntervalTicks() + 5);
    assertThat(b.value("c").asLong()).isEqualTo(1);
    assertThat(a.driver.idleTicks()).isPositive();
  }

  /** Hands {@code to} every frame {@code from} sent it so far. */
  private static void deliverTo(Node to, Node from) {
    for (int i = 0; i < from.sent.size(); i++) {
      if (from.sentTo.get(i).equals(to.self)) {
        to.driver.receiveFrame(from.sent.get(i));
      }
    }
    from.sent.clear();
    from.sentTo.clear();
  }

  private static ObjectName name(String key) {
    return new ObjectName("b", key);
  }

  private static ApiException failure(CompletableFuture<?> future) {
    try {
      future.get();
    } catch (ExecutionException e) {
      return (ApiException) e.getCause();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
    throw new AssertionError("the future succeeded");
  }

  /** One region: a driver over its fakes, which outlive it across a restart. */
  private static final class Node {
    final String self;
    final List<String> regions;
    final UnaryOperator<ReplicationConfig.Builder> adjust;
    final MemoryRegionLog log;
    final MemoryRegionCheckpoints checkpoints;
    final List<byte[]> sent = new ArrayList<>();
    final List<String> sentTo = new ArrayList<>();
    final RegionDriver driver;
    boolean pumpWanted;

    Node(String self, List<String> regions) {
      this(self, regions, UnaryOperator.identity());
    }

    Node(String self, List<String> regions, UnaryOperator<ReplicationConfig.Builder> adjust) {
      this(self, regions, adjust, new MemoryRegionLog(), new MemoryRegionCheckpoints());
    }

    private Node(
        String self,
        List<String> regions,
        UnaryOperator<ReplicationConfig.Builder> adjust,
        MemoryRegionLog log,
        MemoryRegionCheckpoints checkpoints) {
      this.self = self;
      this.regions = regions;
      this.adjust = adjust;
      this.log = log;
      this.checkpoints = checkpoints;
      RegionOwnerConfig config =
          RegionOwnerConfig.defaults(
              adjust.apply(ReplicationConfig.builder(self, regions).batchWindowTicks(0)).build(),
              Path.of("unused"));
      long[] millis = {1_000_000};
      this.driver =
          TestDrivers.start(
              config,
              log,
              checkpoints,
              () -> millis[0]++,
              () -> pumpWanted = true,
              (peer, frame) -> {
                sentTo.add(peer);
                sent.add(frame);
              },
              peer -> true);
    }

    Node restart() {
      return new Node(self, regions, adjust, log, checkpoints);
    }

    CompletableFuture<RegionResult> write(String key, String update) throws Exception {
      return write(key, update, null);
    }

    CompletableFuture<RegionResult> write(String key, String update, String operationId)
        throws Exception {
      CompletableFuture<RegionResult> answer =
          driver.write(
              List.of(
                  new UpdateRequest(
                      name(key),
                      CrdtRegistry.parseUpdate(JSON.readTree(update)),
                      operationId,
                      null)),
              VersionVector.empty(),
              0);
      return answer;
    }

    boolean pumpIfWanted() {
      if (!pumpWanted) {
        return false;
      }
      pumpWanted = false;
      driver.pump();
      return true;
    }

    /** Pumps and completes log groups until the driver has nothing left to do. */
    boolean settle() {
      boolean worked = false;
      for (int round = 0; round < 1_000; round++) {
        boolean pumped = pumpIfWanted();
        boolean completed = log.groupsInFlight() > 0;
        if (completed) {
          log.completeOldestGroup();
        }
        if (!pumped && !completed) {
          return worked;
        }
        worked = true;
      }
      throw new AssertionError("the driver did not settle in 1,000 rounds");
    }

    JsonNode value(String key) throws Exception {
      RegionObject object =
          driver.read(List.of(name(key)), VersionVector.empty(), 0).get().objects().get(0);
      return object.found() ? object.type().value(object.state()) : null;
    }

    CrdtState state(String key) throws Exception {
      return driver
          .read(List.of(name(key)), VersionVector.empty(), 0)
          .get()
          .objects()
          .get(0)
          .state();
    }

    int contextDots(String key) throws Exception {
      RegionObject object =
          driver.read(List.of(name(key)), VersionVector.empty(), 0).get().objects().get(0);
      return object.type().observedContext(object.state()).cloud().size();
    }
  }

  /** A lossless network between nodes: frames are delivered in the order they were sent. */
  private record Network(Node... nodes) {
    void run(int ticks) {
      for (int tick = 0; tick < ticks; tick++) {
        for (Node node : nodes) {
          node.driver.tick();
        }
        boolean worked = true;
        while (worked) {
          worked = false;
          for (Node node : nodes) {
            worked |= node.settle();
            worked |= deliver(node);
          }
        }
      }
    }

    private boolean deliver(Node from) {
      if (from.sent.isEmpty()) {
        return false;
      }
      List<byte[]> frames = new ArrayList<>(from.sent);
      List<String> peers = new ArrayList<>(from.sentTo);
      from.sent.clear();
      from.sentTo.clear();
      for (int i = 0; i < frames.size(); i++) {
        for (Node to : nodes) {
          if (to.self.equals(peers.get(i))) {
            to.driver.receiveFrame(frames.get(i));
          }
        }
      }
      return true;
    }
  }
}
