package io.meridian.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The size figures, which are behaviour rather than speed, so they are asserted here: the
 * metadata an aw-set keeps after 100,000 adds and 50,000 removes (at one region, and spread over
 * three), the encoded size of a pn-counter delta, and that an or-map keeps nothing for fields
 * removed once they are stable. Metadata is the encoded state minus the encoded live elements
 * ({@code ElementProto} each), per live element. Deterministic: one seed.
 */
class MetadataSizeTest {
  static final int ADDS = 100_000;
  static final int REMOVES = 50_000;
  static final int FOLD_EVERY_ENTRIES = 1_000;
  static final int METADATA_BYTES_PER_LIVE_ELEMENT_MAX = 16;
  static final long SEED = 20_240_601L;
  static final int MAP_FIELDS = 10_000;

  private final CrdtType type = CrdtRegistry.type(AwSet.NAME);

  /** What one run left behind. */
  record Outcome(AwSet beforeLastFold, AwSet folded, List<Element> live, String regions) {}

  /**
   * Two adds then one remove of a random live element, 150,000 entries in all, each made at the
   * next region in turn and applied at once everywhere (so every region holds this one state). A
   * settled stable vector, lagging {@link #FOLD_EVERY_ENTRIES} entries behind, folds the state
   * every {@link #FOLD_EVERY_ENTRIES} entries; at the end everything is stable and folded.
   */
  Outcome run(List<String> regions) {
    Random random = new Random(SEED);
    LaggingFoldReplica replica = new LaggingFoldReplica(type, regions, FOLD_EVERY_ENTRIES);
    List<Element> live = new ArrayList<>();
    int added = 0;
    for (int entry = 1; entry <= ADDS + REMOVES; entry++) {
      ObjectNode request;
      if (entry % 3 == 0) {
        int index = random.nextInt(live.size());
        Element removed = live.get(index);
        live.set(index, live.get(live.size() - 1));
        live.remove(live.size() - 1);
        request = Requests.request(AwSet.NAME, "remove");
        request.putArray("elements").add(removed.stringValue());
      } else {
        Element element = Element.of("element-" + added++);
        live.add(element);
        request = Requests.request(AwSet.NAME, "add");
        request.putArray("elements").add(element.stringValue());
      }
      replica.update(request);
    }
    return new Outcome(
        (AwSet) replica.state(), (AwSet) replica.foldedFully(), live, regions.toString());
  }

  void checkAndReport(Outcome outcome) {
    List<Element> live = outcome.live();
    assertThat(live).hasSize(ADDS - REMOVES);
    // Set equality, not AssertJ's any-order containment, which is quadratic.
    assertThat(outcome.folded().elements().equals(new TreeSet<>(live))).isTrue();
    // Nothing for removed elements: one item per live element, no cloud, no op ids.
    assertThat(outcome.folded().store().entries()).hasSize(live.size());
    assertThat(outcome.folded().store().context().cloud()).isEmpty();
    assertThat(outcome.folded().store().operationIds()).isEmpty();
    double folded = (double) LaggingFoldReplica.metadataBytes(outcome.folded(), live) / live.size();
    double unstable =
        (double) LaggingFoldReplica.metadataBytes(outcome.beforeLastFold(), live) / live.size();
    System.out.printf(
        "aw-set metadata after %,d adds and %,d removes at %s: %.2f bytes per live element once"
            + " stable and folded, %.2f with the last %,d entries not yet stable%n",
        ADDS, REMOVES, outcome.regions(), folded, unstable, 2 * FOLD_EVERY_ENTRIES - 1);
    assertThat(folded).isLessThanOrEqualTo(METADATA_BYTES_PER_LIVE_ELEMENT_MAX);
  }

  @Test
  void anAwSetKeepsAtMostSixteenBytesPerLiveElementAndNothingForRemovedOnesAtOneRegion() {
    checkAndReport(run(List.of("europe")));
  }

  @Test
  void anAwSetKeepsAtMostSixteenBytesPerLiveElementAndNothingForRemovedOnesAcrossThreeRegions() {
    checkAndReport(run(List.of("america", "asia-pacific", "europe")));
  }

  /**
   * An or-map at three regions whose fields come and go: {@link #MAP_FIELDS} fields are each
   * assigned (an lww-register) and all but every hundredth removed again, folding with a stable
   * vector that lags {@link #FOLD_EVERY_ENTRIES} entries. Once everything is stable and folded, the
   * map holds nothing for a removed field: no name, no nested state, no presence tag, no cloud.
   */
  @Test
  void anOrMapKeepsNothingForRemovedFieldsOnceStableAndFolded() {
    CrdtType map = CrdtRegistry.type(OrMap.NAME);
    List<String> regions = List.of("america", "asia-pacific", "europe");
    LaggingFoldReplica replica = new LaggingFoldReplica(map, regions, FOLD_EVERY_ENTRIES);
    TreeSet<String> live = new TreeSet<>();
    for (int field = 0; field < MAP_FIELDS; field++) {
      String name = "field-" + field;
      ObjectNode assign = Requests.request(OrMap.NAME, "update");
      assign
          .putObject("entries")
          .set(name, Requests.request(LwwRegister.NAME, "assign").put("value", field));
      List<ObjectNode> requests = new ArrayList<>(List.of(assign));
      if (field % 100 != 0) {
        ObjectNode remove = Requests.request(OrMap.NAME, "remove");
        remove.putArray("fields").add(name);
        requests.add(remove);
      } else {
        live.add(name);
      }
      requests.forEach(replica::update);
    }
    OrMap folded = (OrMap) replica.foldedFully();
    assertThat(folded.visibleFields().keySet()).containsExactlyElementsOf(live);
    TreeSet<String> held = new TreeSet<>();
    folded.fields().keySet().forEach(key -> held.add(key.name()));
    assertThat(held).containsExactlyElementsOf(live);
    assertThat(folded.presence().entries()).hasSize(live.size());
    assertThat(map.observedContext(folded).cloud()).isEmpty();
    System.out.printf(
        "or-map after %,d fields assigned and %,d removed at %s: %,d bytes for %d live fields"
            + " once stable and folded%n",
        MAP_FIELDS,
        MAP_FIELDS - live.size(),
        regions,
        CrdtRegistry.encodeState(folded).length,
        live.size());
  }

  @Test
  void aPnCounterDeltaEncodesInAtMostSixteenBytesForAnyAmountAndOrdinalsBelow16384() {
    int largest = 0;
    for (long amount : new long[] {0, 1, -1, 1L << 53, -(1L << 53), 123_456_789}) {
      for (int ordinal : new int[] {0, 1, 127, 128, 16_383}) {
        Effect effect = new Counter.Increment(Counter.PN_COUNTER, amount, ordinal, null);
        largest = Math.max(largest, CrdtRegistry.encodeEffect(effect).length);
      }
    }
    System.out.printf("pn-counter delta: at most %d bytes encoded%n", largest);
    assertThat(largest).isLessThanOrEqualTo(16);
  }
}
