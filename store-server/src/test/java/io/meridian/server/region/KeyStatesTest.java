package io.meridian.server.region;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.meridian.clocks.Dot;
import io.meridian.clocks.VersionVector;
import io.meridian.crdt.CrdtRegistry;
import io.meridian.crdt.CrdtState;
import io.meridian.crdt.CrdtType;
import io.meridian.crdt.Effect;
import io.meridian.crdt.UpdateContext;
import io.meridian.replication.KeyState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Where {@link KeyStates} keeps a key (changed, being committed, cached, stored) must never show in
 * what it reads, digests or transfers. The driver simulation commits at once; here a commit stays
 * open while the region goes on, as on a MapDB worker.
 */
class KeyStatesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long RETENTION_MILLIS = 60_000;

  @Test
  void aKeyReadsTheSameWhileItsCheckpointIsCommittedAndAfter() {
    MemoryRegionCheckpoints store = new MemoryRegionCheckpoints();
    KeyStates states = open(store, 0);
    ObjectName name = new ObjectName("b", "k");
    increment(states, name, 1, 5);
    CrdtState written = states.visible(name);

    Map<ObjectName, byte[]> taken = states.takeChanged();
    assertThat(taken).containsOnlyKeys(name);
    assertThat(states.changedCount()).isZero();
    assertThat(states.visible(name)).isEqualTo(written);
    increment(states, name, 2, 7);
    CrdtState newer = states.visible(name);

    commit(store, taken);
    states.checkpointCommitted();
    assertThat(states.visible(name)).isEqualTo(newer);
    commit(store, states.takeChanged());
    states.checkpointCommitted();
    assertThat(states.visible(name)).isEqualTo(newer);
    assertThat(value(states, name)).isEqualTo(12L);
    assertThat(states.storeReads()).isPositive();
  }

  @Test
  void aFailedCheckpointKeepsItsKeysChangedWithTheirNewestState() {
    MemoryRegionCheckpoints store = new MemoryRegionCheckpoints();
    KeyStates states = open(store, 1 << 20);
    ObjectName a = new ObjectName("b", "a");
    ObjectName c = new ObjectName("b", "c");
    increment(states, a, 1, 1);
    increment(states, c, 2, 1);
    states.takeChanged();
    increment(states, c, 3, 10);
    states.checkpointFailed();

    Map<ObjectName, byte[]> again = states.takeChanged();
    assertThat(again).containsOnlyKeys(a, c);
    assertThat(decodedValue(again.get(a))).isEqualTo(1L);
    assertThat(decodedValue(again.get(c))).isEqualTo(11L);
  }

  @Test
  void digestsAndTransfersDoNotDependOnWhereTheStatesLive() {
    MemoryRegionCheckpoints checkpointed = new MemoryRegionCheckpoints();
    KeyStates stored = open(checkpointed, 0);
    KeyStates held = open(new MemoryRegionCheckpoints(), 1 << 20);
    List<ObjectName> names = new ArrayList<>();
    // Buckets of different lengths: checkpoint-key order is not the names' order.
    for (String bucket : List.of("b", "bb", "a-long-bucket")) {
      for (int i = 0; i < 20; i++) {
        names.add(new ObjectName(bucket, "k" + i));
      }
    }
    long counter = 0;
    for (ObjectName name : names) {
      counter++;
      increment(stored, name, counter, counter);
      increment(held, name, counter, counter);
      if (counter == 30) {
        commit(checkpointed, stored.takeChanged());
        stored.checkpointCommitted();
      }
    }
    // Half of "stored" in the store, a key changed again on top of it, the rest changed.
    increment(stored, names.get(0), 100, 1);
    increment(held, names.get(0), 100, 1);

    for (int ranges : new int[] {1, 4, 16}) {
      assertThat(stored.rangeDigests(ranges)).containsExactlyElementsOf(held.rangeDigests(ranges));
      assertThat(transferred(stored.keyStates(Set.of(0, 2), ranges)))
          .isEqualTo(transferred(held.keyStates(Set.of(0, 2), ranges)));
    }
    assertThat(stored.size()).isEqualTo(held.size()).isEqualTo(names.size());
  }

  @Test
  void aReopenedRegionKnowsItsKeysAndReadsThemFromTheStore() {
    MemoryRegionCheckpoints store = new MemoryRegionCheckpoints();
    KeyStates states = open(store, 1 << 20);
    for (int i = 0; i < 10; i++) {
      increment(states, new ObjectName("b", "k" + i), i + 1, i);
    }
    Map<ByteString, ByteString> records = encode(states.takeChanged());
    records.put(KeyStates.META_KEY_COUNT, states.keyCountRecord());
    commitRecords(store, records);
    states.checkpointCommitted();

    KeyStates reopened = open(store, 0);
    assertThat(reopened.size()).isEqualTo(10);
    assertThat(value(reopened, new ObjectName("b", "k7"))).isEqualTo(7L);
    assertThat(reopened.visible(new ObjectName("b", "none"))).isNull();
    increment(reopened, new ObjectName("b", "k7"), 50, 1);
    increment(reopened, new ObjectName("b", "new"), 51, 1);
    assertThat(reopened.size()).isEqualTo(11);
    assertThat(value(reopened, new ObjectName("b", "k7"))).isEqualTo(8L);
  }

  @Test
  void theFoldsAfterAReopenSweepEveryStoredKeyOnceABoundedPartEach() {
    MemoryRegionCheckpoints store = new MemoryRegionCheckpoints();
    KeyStates states = open(store, 0);
    for (int i = 0; i < 10; i++) {
      increment(states, new ObjectName("b", "k" + i), i + 1, 1);
    }
    commit(store, states.takeChanged());
    states.checkpointCommitted();

    KeyStates reopened = new KeyStates(new OperationIdTable(RETENTION_MILLIS, 1_000), store, 0, 3);
    reopened.recover();
    increment(reopened, new ObjectName("b", "k4"), 11, 1);
    VersionVector stable = VersionVector.of("r1", 11);
    // k0-k2 swept, and k4 as a candidate (applied after the reopen), which then leaves the
    // candidates: the next sweep folds it once more (a fold of a folded state changes nothing).
    assertThat(reopened.fold(stable)).isEqualTo(3 + 1);
    assertThat(reopened.fold(stable)).isEqualTo(3);
    assertThat(reopened.fold(stable)).isEqualTo(3);
    assertThat(reopened.fold(stable)).isEqualTo(1);
    assertThat(reopened.fold(stable)).isZero();
    for (int i = 0; i < 10; i++) {
      assertThat(value(reopened, new ObjectName("b", "k" + i))).isEqualTo(i == 4 ? 2L : 1L);
    }
  }

  @Test
  void aCheckpointWritesTheOperationIdsOfOnlyTheKeysWhoseIdsChanged() {
    MemoryRegionCheckpoints store = new MemoryRegionCheckpoints();
    OperationIdTable ids = new OperationIdTable(RETENTION_MILLIS, 1_000);
    KeyStates states = new KeyStates(ids, store, 0);
    states.recover();
    ObjectName plain = new ObjectName("b", "plain");
    ObjectName withId = new ObjectName("b", "with-id");
    increment(states, plain, 1, 1);
    increment(states, withId, 2, 1);
    ids.record(withId, "op-1", 1_000);

    Set<ByteString> removed = new HashSet<>();
    Map<ByteString, ByteString> records = states.checkpointRecords(states.takeChanged(), removed);
    assertThat(records)
        .containsOnlyKeys(
            plain.toCheckpointKey(), withId.toCheckpointKey(), withId.toOperationIdsKey());
    assertThat(removed).isEmpty();
    commitRecords(store, records, removed);
    states.checkpointCommitted();

    // A failed checkpoint keeps the changed ids for the next one.
    increment(states, plain, 3, 1);
    ids.record(plain, "op-2", 2_000);
    states.checkpointRecords(states.takeChanged(), new HashSet<>());
    states.checkpointFailed();
    records = states.checkpointRecords(states.takeChanged(), removed);
    assertThat(records).containsOnlyKeys(plain.toCheckpointKey(), plain.toOperationIdsKey());
    assertThat(removed).isEmpty();
    commitRecords(store, records, removed);
    states.checkpointCommitted();

    // Expired ids delete their record, with no change of the key's state.
    ids.expire(1_000 + RETENTION_MILLIS);
    records = states.checkpointRecords(states.takeChanged(), removed);
    assertThat(records).isEmpty();
    assertThat(removed).containsExactly(withId.toOperationIdsKey());
    commitRecords(store, records, removed);
    states.checkpointCommitted();
    assertThat(store.state(withId.toOperationIdsKey())).isEmpty();
    assertThat(store.state(plain.toOperationIdsKey())).isPresent();

    // A reopen loads the stored ids, which are not changed: the next checkpoint writes none.
    OperationIdTable reloaded = new OperationIdTable(RETENTION_MILLIS, 1_000);
    reloaded.load(plain, store.state(plain.toOperationIdsKey()).orElseThrow());
    KeyStates reopened = new KeyStates(reloaded, store, 0);
    reopened.recover();
    assertThat(reloaded.contains(plain, "op-2")).isTrue();
    increment(reopened, withId, 4, 1);
    removed.clear();
    assertThat(reopened.checkpointRecords(reopened.takeChanged(), removed))
        .containsOnlyKeys(withId.toCheckpointKey());
    assertThat(removed).isEmpty();
  }

  @Test
  void theCacheIsWeighedByDecodedHeapNotByEncodedBytes() {
    MemoryRegionCheckpoints store = new MemoryRegionCheckpoints();
    KeyStates states = open(store, 0);
    for (int i = 0; i < 10; i++) {
      increment(states, new ObjectName("b", "k" + i), i + 1, 1);
    }
    commit(store, states.takeChanged());
    states.checkpointCommitted();
    int encoded = store.state(new ObjectName("b", "k0").toCheckpointKey()).orElseThrow().size();
    // A decoded pn-counter takes about 11 times its encoded bytes (DecodedStateFigures).
    assertThat(KeyStates.cacheWeight(encoded)).isGreaterThanOrEqualTo(128 + 11 * encoded);

    KeyStates reopened = open(store, 2L * KeyStates.cacheWeight(encoded));
    for (int i = 0; i < 10; i++) {
      assertThat(value(reopened, new ObjectName("b", "k" + i))).isEqualTo(1L);
    }
    assertThat(reopened.storeReads()).isEqualTo(10);
    assertThat(reopened.cachedCount()).isBetween(1L, 2L);
  }

  private static KeyStates open(MemoryRegionCheckpoints store, long cacheBytes) {
    KeyStates states =
        new KeyStates(new OperationIdTable(RETENTION_MILLIS, 1_000), store, cacheBytes);
    states.recover();
    return states;
  }

  private static void increment(KeyStates states, ObjectName name, long counter, long by) {
    CrdtType type = CrdtRegistry.type("pn-counter");
    CrdtState current = states.visible(name);
    Dot dot = new Dot("r1", counter);
    Effect effect =
        type.prepare(
                current == null ? type.empty() : current,
                CrdtRegistry.parseUpdate(
                    JSON.createObjectNode()
                        .put("type", "pn-counter")
                        .put("op", "increment")
                        .put("by", by)),
                new UpdateContext(dot, counter, null, null))
            .orElseThrow();
    states.apply(name, effect, dot, false, true, VersionVector.of("r1", counter));
  }

  private static long value(KeyStates states, ObjectName name) {
    CrdtState state = states.visible(name);
    return CrdtRegistry.typeOf(state).value(state).asLong();
  }

  private static long decodedValue(byte[] encoded) {
    CrdtState state = CrdtRegistry.decodeState(encoded);
    return CrdtRegistry.typeOf(state).value(state).asLong();
  }

  private static Map<ByteString, ByteString> encode(Map<ObjectName, byte[]> taken) {
    Map<ByteString, ByteString> records = new HashMap<>();
    taken.forEach((name, bytes) -> records.put(name.toCheckpointKey(), ByteString.copyFrom(bytes)));
    return records;
  }

  private static void commit(MemoryRegionCheckpoints store, Map<ObjectName, byte[]> taken) {
    commitRecords(store, encode(taken));
  }

  private static void commitRecords(
      MemoryRegionCheckpoints store, Map<ByteString, ByteString> records) {
    commitRecords(store, records, Set.of());
  }

  private static void commitRecords(
      MemoryRegionCheckpoints store, Map<ByteString, ByteString> records, Set<ByteString> removed) {
    VersionVector vector =
        store.lastCheckpoint().map(c -> c.appliedVector()).orElse(VersionVector.empty());
    store.commit(vector, 0, records, removed, error -> assertThat(error).isNull());
  }

  private static Map<String, ByteString> transferred(List<KeyState> states) {
    Map<String, ByteString> byName = new HashMap<>();
    for (KeyState state : states) {
      byName.put(state.bucket() + "/" + state.key(), ByteString.copyFrom(state.state()));
    }
    return byName;
  }
}
