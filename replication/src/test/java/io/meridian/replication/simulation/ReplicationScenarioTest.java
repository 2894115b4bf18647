package io.meridian.replication.simulation;

import static io.meridian.replication.simulation.ScriptedCluster.id;
import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.clocks.VersionVector;
import io.meridian.replication.LogEntry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Stories: partition, write on both sides, heal, expect. */
class ReplicationScenarioTest {
  private static final List<String> THREE = List.of("east", "north", "west");

  @Test
  void bothSidesOfAPartitionWriteAndConvergeAfterHealing() {
    ScriptedCluster cluster = new ScriptedCluster(THREE, builder -> builder);
    cluster.ticks(5);
    cluster.partition(List.of("east"), List.of("north", "west"));

    LogEntry east = cluster.write("east", "cart");
    LogEntry north = cluster.write("north", "cart");
    cluster.ticks(20);

    assertThat(cluster.visible("east", "cart")).containsExactly(id(east, 0));
    assertThat(cluster.visible("west", "cart")).containsExactly(id(north, 0));

    cluster.heal();
    cluster.ticks(20);

    for (String region : THREE) {
      assertThat(cluster.visible(region, "cart"))
          .containsExactlyInAnyOrder(id(east, 0), id(north, 0));
      assertThat(cluster.node(region).core.appliedVector())
          .isEqualTo(VersionVector.of("east", 1).with("north", 1));
    }
    // Concurrent assignments: every region picks the same winner.
    UpdateId winner = cluster.register("east", "cart");
    assertThat(cluster.register("north", "cart")).isEqualTo(winner);
    assertThat(cluster.register("west", "cart")).isEqualTo(winner);
  }

  @Test
  void entriesFlowAroundABrokenLinkWithTheirIdentityIntact() {
    ScriptedCluster cluster = new ScriptedCluster(THREE, builder -> builder.relayDelayTicks(8));
    cluster.ticks(5);
    cluster.cut("east", "west");

    LogEntry entry = cluster.write("east", "profile");
    cluster.ticks(5);
    // North waits for the relay delay, in case east's own copy reaches west.
    assertThat(cluster.visible("north", "profile")).containsExactly(id(entry, 0));
    assertThat(cluster.visible("west", "profile")).isEmpty();
    cluster.ticks(10);

    assertThat(cluster.visible("west", "profile")).containsExactly(id(entry, 0));
    LogEntry atWest = cluster.node("west").disk.get(0);
    assertThat(atWest).isEqualTo(entry);
    assertThat(atWest.hlc()).isEqualTo(entry.hlc());
  }

  @Test
  void aCausallyLaterAssignmentWinsEvenFromABackwardClock() {
    ScriptedCluster cluster = new ScriptedCluster(THREE, builder -> builder);
    cluster.ticks(5);
    // North's physical clock is an hour ahead, west's an hour behind.
    cluster.node("north").clock.advance(3_600_000);
    cluster.node("west").clock.advance(-3_600_000);

    LogEntry first = cluster.write("north", "title");
    cluster.ticks(5);
    assertThat(cluster.visible("west", "title")).containsExactly(id(first, 0));
    LogEntry later = cluster.write("west", "title");
    cluster.ticks(5);

    assertThat(later.hlc()).isGreaterThan(first.hlc());
    for (String region : THREE) {
      assertThat(cluster.register(region, "title")).isEqualTo(id(later, 0));
    }
  }

  @Test
  void aBatchBecomesVisibleEverywhereAtOnce() {
    ScriptedCluster cluster = new ScriptedCluster(THREE, builder -> builder);
    cluster.ticks(5);
    LogEntry order = cluster.write("east", "order");
    cluster.ticks(3);
    LogEntry batch = cluster.write("north", "stock", "invoice", "order");
    assertThat(batch.deps().get("east")).isEqualTo(1);

    cluster.tick();
    // The batch is sent only once it is on north's disk: nothing of it has reached west yet.
    assertThat(cluster.visible("west", "stock")).isEmpty();
    assertThat(cluster.visible("west", "invoice")).isEmpty();
    cluster.tick();
    // One more tick and west has all three keys of the batch, none of them half.
    assertThat(cluster.visible("west", "stock")).containsExactly(id(batch, 0));
    assertThat(cluster.visible("west", "invoice")).containsExactly(id(batch, 1));
    assertThat(cluster.visible("west", "order"))
        .containsExactlyInAnyOrder(id(order, 0), id(batch, 2));
    assertThat(cluster.register("west", "order")).isEqualTo(id(batch, 2));
  }

  @Test
  void aDownRegionBlocksGarbageCollectionThenCatchesUpByStateTransfer() {
    ScriptedCluster cluster =
        new ScriptedCluster(THREE, builder -> builder.logEntriesPerOriginMax(5));
    cluster.write("east", "seed");
    cluster.ticks(10);
    assertThat(cluster.node("east").core.stableVector()).isEqualTo(VersionVector.of("east", 1));

    cluster.crash("west");
    for (int i = 0; i < 30; i++) {
      cluster.write("east", "key" + (i % 4));
      cluster.tick();
    }
    cluster.ticks(10);

    // West has acknowledged nothing new: nothing is stable, but the log stays within its bound.
    assertThat(cluster.node("east").core.stableVector()).isEqualTo(VersionVector.of("east", 1));
    assertThat(cluster.node("east").core.logEntries("east")).isEqualTo(5);
    assertThat(cluster.node("east").core.metrics().forcedTrimEntries()).isEqualTo(25);

    cluster.restart("west");
    cluster.ticks(40);

    assertThat(cluster.node("west").core.appliedVector()).isEqualTo(VersionVector.of("east", 31));
    assertThat(cluster.node("west").app.fingerprint())
        .isEqualTo(cluster.node("east").app.fingerprint());
    assertThat(cluster.node("west").core.metrics().stateTransfersInstalled()).isEqualTo(1);
    assertThat(cluster.node("east").core.stableVector()).isEqualTo(VersionVector.of("east", 31));
  }

  @Test
  void aRestartedRegionKeepsWhatItPersistedAndServesItAgain() {
    ScriptedCluster cluster = new ScriptedCluster(THREE, builder -> builder);
    cluster.ticks(5);
    cluster.partition(List.of("east"), List.of("north", "west"));
    LogEntry entry = cluster.write("east", "note");
    cluster.crash("east");
    cluster.restart("east");
    assertThat(cluster.visible("east", "note")).containsExactly(id(entry, 0));

    cluster.heal();
    cluster.ticks(10);
    assertThat(cluster.visible("west", "note")).containsExactly(id(entry, 0));
    LogEntry next = cluster.write("east", "note");
    assertThat(next.seq()).isEqualTo(2);
  }

  @Test
  void duplicatedAndReplayedFramesChangeNothing() {
    ScriptedCluster cluster = new ScriptedCluster(THREE, builder -> builder);
    cluster.captureFrames();
    cluster.write("east", "a");
    cluster.write("north", "b");
    cluster.ticks(10);
    cluster.write("west", "a", "b");
    cluster.ticks(10);
    var before = cluster.node("north").app.fingerprint();
    VersionVector applied = cluster.node("north").core.appliedVector();

    cluster.replayCaptured();

    assertThat(cluster.node("north").app.fingerprint()).isEqualTo(before);
    assertThat(cluster.node("north").core.appliedVector()).isEqualTo(applied);
    assertThat(cluster.node("north").core.metrics().duplicateEntries()).isPositive();
    assertThat(cluster.node("north").core.metrics().rejectedFramesTotal()).isZero();
  }
}
