package io.meridian.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.clocks.Dot;
import io.meridian.clocks.VersionVector;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * What an rw-set keeps after many adds and removes, as {@link MetadataSizeTest} measures the
 * aw-set: 100,000 adds and 50,000 removes, at one region and spread over three; one add in ten puts
 * back an element removed earlier, so adds must also supersede removes that a fold collected. Once
 * everything is stable and folded, the state holds one item per live element and nothing for
 * removed ones: no remove tag, no cloud dot, no op id, no cover. Deterministic: one seed.
 */
class RwSetMetadataSizeTest {
  static final int ADDS = 100_000;
  static final int REMOVES = 50_000;
  static final int READD_EVERY_ADDS = 10;
  static final int FOLD_EVERY_ENTRIES = 1_000;
  static final int METADATA_BYTES_PER_LIVE_ELEMENT_MAX = 16;
  static final long SEED = 20_261_124L;
  static final int ELEMENTS_IN_ONE_ADD = 1_000;

  /** What an add's cover of one element may cost beyond the element itself. */
  static final int COVER_BYTES_BEYOND_ITS_ELEMENT_MAX = 6;

  private final CrdtType type = CrdtRegistry.type(RwSet.NAME);

  /** What one run left behind. */
  record Outcome(RwSet beforeLastFold, RwSet folded, List<Element> live, String regions) {}

  /**
   * Two adds then one remove of a random live element, each entry made at the next region in turn
   * and applied at once everywhere (so every region holds this one state); a settled stable vector,
   * lagging {@link #FOLD_EVERY_ENTRIES} entries behind, folds the state every {@link
   * #FOLD_EVERY_ENTRIES} entries; at the end everything is stable and folded.
   */
  Outcome run(List<String> regions) {
    Random random = new Random(SEED);
    LaggingFoldReplica replica = new LaggingFoldReplica(type, regions, FOLD_EVERY_ENTRIES);
    List<Element> live = new ArrayList<>();
    List<Element> removed = new ArrayList<>();
    int added = 0;
    int adds = 0;
    for (int entry = 1; entry <= ADDS + REMOVES; entry++) {
      ObjectNode request;
      if (entry % 3 == 0) {
        Element gone = takeRandom(live, random);
        removed.add(gone);
        request = Requests.request(RwSet.NAME, "remove");
        request.putArray("elements").add(gone.stringValue());
      } else {
        boolean again = ++adds % READD_EVERY_ADDS == 0 && !removed.isEmpty();
        Element element = again ? takeRandom(removed, random) : Element.of("element-" + added++);
        live.add(element);
        request = Requests.request(RwSet.NAME, "add");
        request.putArray("elements").add(element.stringValue());
      }
      replica.update(request);
    }
    return new Outcome(
        (RwSet) replica.state(), (RwSet) replica.foldedFully(), live, regions.toString());
  }

  private static Element takeRandom(List<Element> elements, Random random) {
    int index = random.nextInt(elements.size());
    Element taken = elements.get(index);
    elements.set(index, elements.get(elements.size() - 1));
    elements.remove(elements.size() - 1);
    return taken;
  }

  void checkAndReport(Outcome outcome) {
    List<Element> live = outcome.live();
    assertThat(live).hasSize(ADDS - REMOVES);
    // Set equality, not AssertJ's any-order containment, which is quadratic.
    assertThat(outcome.folded().elements().equals(new TreeSet<>(live))).isTrue();
    // Nothing for removed elements: one add item per live element, no cloud, ids or covers.
    assertThat(outcome.folded().store().entries()).hasSize(live.size());
    assertThat(outcome.folded().store().context().cloud()).isEmpty();
    assertThat(outcome.folded().store().operationIds()).isEmpty();
    assertThat(outcome.folded().covers()).isEmpty();
    double folded = (double) LaggingFoldReplica.metadataBytes(outcome.folded(), live) / live.size();
    double unstable =
        (double) LaggingFoldReplica.metadataBytes(outcome.beforeLastFold(), live) / live.size();
    long unstableItems = outcome.beforeLastFold().store().entries().size() - live.size();
    System.out.printf(
        "rw-set metadata after %,d adds and %,d removes at %s: %.2f bytes per live element once"
            + " stable and folded, %.2f (and %,d items beyond the live ones) with the last %,d"
            + " entries not yet stable%n",
        ADDS,
        REMOVES,
        outcome.regions(),
        folded,
        unstable,
        unstableItems,
        2 * FOLD_EVERY_ENTRIES - 1);
    assertThat(folded).isLessThanOrEqualTo(METADATA_BYTES_PER_LIVE_ELEMENT_MAX);
  }

  @Test
  void anRwSetKeepsAtMostSixteenBytesPerLiveElementAndNothingForRemovedOnesAtOneRegion() {
    checkAndReport(run(List.of("europe")));
  }

  @Test
  void anRwSetKeepsAtMostSixteenBytesPerLiveElementAndNothingForRemovedOnesAcrossThreeRegions() {
    checkAndReport(run(List.of("america", "asia-pacific", "europe")));
  }

  /**
   * An add at a region that folded carries one cover per element, all with its region's compact
   * vector; the encoding writes that vector once, so a cover costs its element and a few bytes, and
   * a large add stays within a frame however many regions there are.
   */
  @Test
  void anAddOfManyElementsWritesItsRegionsCoverVectorOnce() {
    List<String> regions =
        List.of("africa", "america", "asia-pacific", "europe", "middle-east", "oceania");
    CrdtState unfolded = type.empty();
    VersionVector applied = VersionVector.empty();
    for (String region : regions) {
      Dot dot = new Dot(region, 1);
      ObjectNode request = Requests.request(RwSet.NAME, "add");
      request.putArray("elements").add(region);
      Effect effect =
          type.prepare(unfolded, CrdtRegistry.parseUpdate(request), UpdateContext.of(dot, 1))
              .orElseThrow();
      unfolded = type.apply(unfolded, effect, dot);
      applied = applied.with(region, 1);
    }
    ObjectNode request = Requests.request(RwSet.NAME, "add");
    long elementBytes = 0;
    for (int i = 0; i < ELEMENTS_IN_ONE_ADD; i++) {
      Element element = Element.of("element-" + i);
      request.withArray("elements").add(element.stringValue());
      elementBytes += CrdtCodec.element(element).getSerializedSize();
    }
    Dot dot = new Dot("europe", 2);
    Effect withCovers =
        type.prepare(
                type.fold(unfolded, applied),
                CrdtRegistry.parseUpdate(request),
                UpdateContext.of(dot, 2))
            .orElseThrow();
    Effect withoutCovers =
        type.prepare(unfolded, CrdtRegistry.parseUpdate(request), UpdateContext.of(dot, 2))
            .orElseThrow();
    assertThat(((RwSet) ((DeltaEffect) withCovers).delta()).covers()).hasSize(ELEMENTS_IN_ONE_ADD);
    double perCover =
        (double)
                (CrdtRegistry.encodeEffect(withCovers).length
                    - CrdtRegistry.encodeEffect(withoutCovers).length
                    - elementBytes)
            / ELEMENTS_IN_ONE_ADD;
    System.out.printf(
        "rw-set add of %,d elements at a region that folded, %d regions: a cover costs its"
            + " element and %.2f bytes%n",
        ELEMENTS_IN_ONE_ADD, regions.size(), perCover);
    assertThat(perCover).isLessThanOrEqualTo(COVER_BYTES_BEYOND_ITS_ELEMENT_MAX);
  }
}
