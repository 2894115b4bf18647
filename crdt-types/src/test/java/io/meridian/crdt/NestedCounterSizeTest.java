package io.meridian.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a counter keeps once its increments are stable and folded, alone and inside an or-map field,
 * and how large a read's context is for a map of many counter fields. The nested counter sums, per
 * origin region, the increments older than the context expiry T and keeps the younger ones one
 * entry each (docs/notes/2026-12-bounded-map-counters.md). Deterministic.
 */
class NestedCounterSizeTest {
  static final List<String> REGIONS = List.of("east", "north", "west");
  static final int INCREMENTS = 10_000;
  static final int FOLD_EVERY_ENTRIES = 1_000;
  static final int MAP_COUNTER_FIELDS = 1_000;

  private final CrdtType counterType = CrdtRegistry.type(Counter.PN_COUNTER);
  private final CrdtType mapType = CrdtRegistry.type(OrMap.NAME);

  static ObjectNode increment(long amount) {
    return Requests.request(Counter.PN_COUNTER, "increment").put("by", amount);
  }

  static ObjectNode mapIncrement(String field, long amount) {
    return Requests.fieldIncrement(field, amount);
  }

  /**
   * Applies {@code requests} as log entries made at the regions in turn and applied at once
   * everywhere, folding every {@link #FOLD_EVERY_ENTRIES} entries with the vector of that many
   * entries before (stability lags), and finally with everything stable.
   */
  static CrdtState run(CrdtType type, List<ObjectNode> requests) {
    LaggingFoldReplica replica = new LaggingFoldReplica(type, REGIONS, FOLD_EVERY_ENTRIES);
    requests.forEach(replica::update);
    return replica.foldedFully();
  }

  /**
   * With T of {@link #FOLD_EVERY_ENTRIES} HLC units (one unit per entry here), a field's counter
   * folded after 10,000 increments keeps one summed entry per region plus the increments of the
   * last T; one more increment made T later, folded, leaves one entry per region and itself, in the
   * counter and in the field's presence alike. With the default T (ten minutes, while these clocks
   * advance one unit per entry) nothing is old enough and every increment stays one entry, as
   * before the bound was built.
   */
  @Test
  void aNestedCounterKeepsOneEntryPerRegionPlusTheIncrementsOfTheLastT() {
    List<ObjectNode> topLevel = new ArrayList<>();
    List<ObjectNode> nested = new ArrayList<>();
    for (int index = 0; index < INCREMENTS; index++) {
      topLevel.add(increment(1 + index % 5));
      nested.add(mapIncrement("hits", 1 + index % 5));
    }
    Counter counter = (Counter) run(counterType, topLevel);
    OrMap young = (OrMap) run(mapType, nested);
    assertThat(hits(young).store().entries()).hasSize(INCREMENTS);

    long before = CrdtRegistry.configureContextExpiryHlc(FOLD_EVERY_ENTRIES);
    try {
      LaggingFoldReplica replica = new LaggingFoldReplica(mapType, REGIONS, FOLD_EVERY_ENTRIES);
      nested.forEach(replica::update);
      OrMap map = (OrMap) replica.foldedFully();
      Counter field = hits(map);
      assertThat(field.value()).isEqualTo(counter.value());
      assertThat(counter.store().entries()).hasSize(REGIONS.size());
      assertThat(field.store().entries().size())
          .isLessThanOrEqualTo(REGIONS.size() + FOLD_EVERY_ENTRIES);
      replica.advanceClock(FOLD_EVERY_ENTRIES);
      replica.update(mapIncrement("hits", 1));
      OrMap later = (OrMap) replica.foldedFully();
      assertThat(hits(later).store().entries()).hasSize(REGIONS.size() + 1);
      // The field's presence is collapsed with its sums: one tag per region and the new one.
      assertThat(later.presence().entries()).hasSize(REGIONS.size() + 1);
      assertThat(CrdtRegistry.encodeState(later).length).isLessThan(256);
      assertThat(hits(later).value()).isEqualTo(counter.value() + 1);
      System.out.printf(
          "pn-counter after %,d increments at %d regions, folded: %d entries, %,d bytes;"
              + " in an or-map field with T = %,d entries: %,d entries, map %,d bytes (default T:"
              + " %,d entries, %,d bytes); one increment T later, folded: %d entries, map %,d"
              + " bytes%n",
          INCREMENTS,
          REGIONS.size(),
          counter.store().entries().size(),
          CrdtRegistry.encodeState(counter).length,
          FOLD_EVERY_ENTRIES,
          field.store().entries().size(),
          CrdtRegistry.encodeState(map).length,
          hits(young).store().entries().size(),
          CrdtRegistry.encodeState(young).length,
          hits(later).store().entries().size(),
          CrdtRegistry.encodeState(later).length);
    } finally {
      CrdtRegistry.configureContextExpiryHlc(before);
    }
  }

  private static Counter hits(OrMap map) {
    return (Counter) map.visibleFields().get("hits");
  }

  /**
   * The context a read returns is a causal context only: once everything is stable it is the
   * compact vector, whatever the number of counter fields. A context that also carried, per counter
   * field and origin, the running sum at the read would grow with fields times regions.
   */
  @Test
  void aReadContextOfAMapOfManyCounterFieldsIsTheCompactVectorOnceStable() {
    List<ObjectNode> requests = new ArrayList<>();
    for (int index = 0; index < INCREMENTS; index++) {
      requests.add(mapIncrement("counter-" + index % MAP_COUNTER_FIELDS, 1));
    }
    OrMap map = (OrMap) run(mapType, requests);
    String context = CrdtRegistry.encodeContext(mapType.observedContext(map));
    assertThat(map.visibleFields()).hasSize(MAP_COUNTER_FIELDS);
    assertThat(context.length()).isLessThan(64);
    long nameBytes = 0;
    for (String name : map.visibleFields().keySet()) {
      nameBytes += name.length();
    }
    System.out.printf(
        "or-map with %,d counter fields after %,d increments, folded: context %d characters;"
            + " field names alone %,d bytes, so a context with a running sum per field and"
            + " region would be at least %,d bytes before encoding%n",
        MAP_COUNTER_FIELDS,
        INCREMENTS,
        context.length(),
        nameBytes,
        nameBytes + (long) MAP_COUNTER_FIELDS * REGIONS.size() * 3);
  }
}
