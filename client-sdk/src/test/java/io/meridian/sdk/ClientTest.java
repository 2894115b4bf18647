package io.meridian.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every handle against three real regions: updates, reads, batches, snapshots, typed errors. */
class ClientTest {
  @TempDir static Path data;
  private static LocalRegions regions;
  private static Meridian client;

  @BeforeAll
  static void start() throws Exception {
    regions = new LocalRegions(data);
    client = regions.builder().build();
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close();
    }
    if (regions != null) {
      regions.close();
    }
  }

  @Test
  void countersCountEveryIncrementAndReadTheirWrites() {
    Counter counter = client.counter("b", "counter");
    assertThat(counter.value()).isZero();
    counter.increment(5);
    counter.decrement(2);
    assertThat(counter.value()).isEqualTo(3);
    Counter growOnly = client.growOnlyCounter("b", "grow");
    growOnly.increment(4);
    assertThat(growOnly.value()).isEqualTo(4);
    assertThatThrownBy(() -> growOnly.increment(-1))
        .isInstanceOf(MeridianException.BadRequest.class);
  }

  @Test
  void asyncUpdatesLeaveInOrderAndAReadSeesThemAll() {
    Counter counter = client.counter("b", "async");
    List<CompletableFuture<WriteReceipt>> receipts =
        List.of(counter.incrementAsync(1), counter.incrementAsync(2), counter.incrementAsync(3));
    assertThat(counter.value()).isEqualTo(6);
    long previous = 0;
    for (CompletableFuture<WriteReceipt> receipt : receipts) {
      WriteReceipt done = receipt.join();
      assertThat(done.sequence()).isGreaterThan(previous);
      assertThat(done.operationId()).isEqualTo(client.clientId() + "." + done.sequence());
      assertThat(done.accepted().join()).isEqualTo("r1");
      previous = done.sequence();
    }
  }

  @Test
  void registersFlagsSetsMapsAndListsRoundTrip() {
    Register<String> register = client.register("b", "register", Codec.strings());
    assertThat(register.value()).isEmpty();
    register.assign("x");
    assertThat(register.value()).contains("x");

    MultiValueRegister<Long> values = client.multiValueRegister("b", "mv", Codec.longs());
    values.assign(7L);
    assertThat(values.values()).containsExactly(7L);

    Flag flag = client.flag("b", "flag");
    flag.enable();
    assertThat(flag.value()).isTrue();
    flag.disable();
    assertThat(flag.value()).isFalse();

    GrowOnlySet<String> grow = client.growOnlySet("b", "gset", Codec.strings());
    grow.add("a", "b");
    assertThat(grow.elements()).containsExactly("a", "b");

    ElementSet<String> set = client.addWinsSet("b", "aw", Codec.strings());
    set.add("x", "y");
    set.remove("x");
    assertThat(set.elements()).containsExactly("y");
    ElementSet<Long> removeWins = client.removeWinsSet("b", "rw", Codec.longs());
    removeWins.add(1L, 2L);
    removeWins.remove(2L);
    assertThat(removeWins.elements()).containsExactly(1L);

    ObservedRemoveMap map = client.map("b", "map");
    map.counter("visits").increment(3);
    map.addWinsSet("tags", Codec.strings()).add("red");
    map.map("nested").register("name", Codec.strings()).assign("n");
    assertThat(map.counter("visits").value()).isEqualTo(3);
    assertThat(map.map("nested").register("name", Codec.strings()).value()).contains("n");
    assertThat(map.fields()).containsExactlyInAnyOrder("visits", "tags", "nested");
    map.removeFields("tags");
    assertThat(map.fields()).containsExactlyInAnyOrder("visits", "nested");

    ReplicatedList<String> list = client.list("b", "list", Codec.strings());
    list.insert(0, "a", "c");
    list.insert(1, "b");
    list.delete(0, 1);
    assertThat(list.values()).containsExactly("b", "c");
    assertThatThrownBy(() -> list.delete(5, 1)).isInstanceOf(MeridianException.BadRequest.class);
  }

  @Test
  void aRemoveRemovesOnlyWhatTheClientObserved() throws Exception {
    ElementSet<String> mine = client.addWinsSet("b", "observed", Codec.strings());
    mine.add("seen");
    assertThat(mine.elements()).containsExactly("seen");
    try (Meridian other = regions.builder().build()) {
      other.addWinsSet("b", "observed", Codec.strings()).add("unseen");
    }
    // The remove carries the context of the last read, which did not hold "unseen".
    mine.remove("seen", "unseen");
    assertThat(mine.elements()).containsExactly("unseen");
  }

  @Test
  void aBatchIsAllOrNothingAndASnapshotReadsSeveralKeys() {
    Counter orders = client.counter("shop", "orders");
    ElementSet<String> items = client.addWinsSet("shop", "items", Codec.strings());
    WriteReceipt receipt =
        client.batch(orders.incrementUpdate(1), items.addUpdate(List.of("book")));
    assertThat(receipt.operationId()).isEqualTo(client.clientId() + "." + receipt.sequence());
    Snapshot snapshot = client.read(orders, items);
    assertThat(orders.valueIn(snapshot)).isEqualTo(1);
    assertThat(items.elementsIn(snapshot)).containsExactly("book");

    ReplicatedList<String> list = client.list("shop", "never", Codec.strings());
    assertThatThrownBy(() -> client.batch(orders.incrementUpdate(1), list.deleteUpdate(3, 1)))
        .isInstanceOf(MeridianException.BadRequest.class);
    assertThat(orders.value()).isEqualTo(1);
  }

  @Test
  void typedErrorsNeverRawHttp() {
    client.counter("b", "typed").increment(1);
    assertThatThrownBy(() -> client.addWinsSet("b", "typed", Codec.strings()).add("x"))
        .isInstanceOf(MeridianException.TypeMismatch.class);
    assertThatThrownBy(() -> client.addWinsSet("b", "typed", Codec.strings()).elements())
        .isInstanceOf(MeridianException.TypeMismatch.class);
    assertThatThrownBy(() -> client.counter("b", "k".repeat(300)).increment(1))
        .isInstanceOf(MeridianException.BadRequest.class);
    assertThatThrownBy(() -> client.counter("", "k").value())
        .isInstanceOf(MeridianException.BadRequest.class);
  }

  @Test
  void receiptsReachEveryRegion() {
    WriteReceipt receipt = client.counter("b", "visible").increment(1);
    receipt.visibleEverywhere().orTimeout(30, java.util.concurrent.TimeUnit.SECONDS).join();
    assertThat(receipt.accepted().join()).isEqualTo("r1");
  }

  @Test
  void syncStatusCountsNothingPendingOnceAcknowledged() throws Exception {
    client.counter("b", "status").increment(1);
    assertThat(client.awaitSynced(Duration.ofSeconds(10))).isTrue();
    SyncStatus status = client.syncStatus();
    assertThat(status.pendingUpdates()).isZero();
    assertThat(status.pendingBytes()).isZero();
    assertThat(status.lastSync()).isPresent();
    assertThat(status.regions().keySet()).containsExactly("r1", "r2", "r3");
    assertThat(Guarantee.header(Set.of())).isEqualTo("none");
  }
}
