package io.meridian.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.clocks.Dot;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * The list's persistent sequence against the array it replaced: the same RGA integration (after the
 * origin, past every item with a larger key) on a plain {@code ArrayList}, run side by side on
 * random inserts, deletes and removals. Half of the runs type at one spot (each insert right after
 * the previous one, before the same next item), which exhausts the labels between two items every
 * few dozen inserts and makes the sequence spread windows of labels. The seed reproduces a failure.
 */
class ItemSequenceTest {
  @Property(tries = 300)
  void theSequenceKeepsTheArraysOrder(@ForAll long seed) {
    Random random = new Random(seed);
    boolean typing = random.nextBoolean();
    List<RgaList.Item> model = new ArrayList<>();
    ItemSequence sequence = ItemSequence.empty();
    ItemSequence old = sequence;
    Dot last = null;
    for (int step = 0; step < 400; step++) {
      int action = random.nextInt(10);
      if (action < 7 || model.isEmpty()) {
        Dot origin;
        if (typing && last != null && random.nextInt(8) > 0) {
          origin = last;
        } else {
          origin =
              model.isEmpty() || random.nextInt(5) == 0
                  ? null
                  : model.get(random.nextInt(model.size())).tag();
        }
        String replica = random.nextBoolean() ? "a" : "b";
        Dot tag = new Dot(replica, step + 1L);
        long lamport = 1 + random.nextInt(typing ? 400 : 20);
        RgaList.Item item = new RgaList.Item(tag, origin, lamport, "\"" + step + "\"", null, null);
        arrayIntegrate(model, item);
        sequence = sequence.integrate(item);
        last = tag;
      } else if (action < 9) {
        RgaList.Item item = model.get(random.nextInt(model.size()));
        RgaList.Item deleted = item.deletedBy(new Dot("a", 10_000L + step));
        model.set(model.indexOf(item), deleted);
        sequence = sequence.replace(deleted);
      } else {
        RgaList.Item item = model.remove(random.nextInt(model.size()));
        sequence = sequence.remove(item.tag());
      }
      assertThat(sequence.toList()).as("seed %d step %d", seed, step).isEqualTo(model);
      assertThat(sequence.size()).isEqualTo(model.size());
      List<RgaList.Item> undeleted =
          model.stream().filter(item -> item.deletedBy() == null).toList();
      assertThat(sequence.undeletedCount()).isEqualTo(undeleted.size());
      if (!undeleted.isEmpty()) {
        int index = random.nextInt(undeleted.size());
        assertThat(sequence.undeletedAt(index)).isEqualTo(undeleted.get(index));
      }
      assertThat(sequence.maxLamport())
          .isEqualTo(model.stream().mapToLong(RgaList.Item::lamport).max().orElse(0));
      for (RgaList.Item item : model) {
        assertThat(sequence.get(item.tag())).isEqualTo(item);
      }
    }
    // Persistence: the first version is still empty, and a rebuilt sequence equals this one.
    assertThat(old.size()).isZero();
    assertThat(ItemSequence.of(model).toList()).isEqualTo(sequence.toList());
  }

  /**
   * Typing 200 values one after the other between two items halves the label gap each time, so it
   * runs out after about 32 and windows are relabelled, several times; the order stays the array's.
   */
  @net.jqwik.api.Example
  void typingBetweenTwoItemsRelabelsAndKeepsTheOrder() {
    List<RgaList.Item> model = new ArrayList<>();
    ItemSequence sequence = ItemSequence.empty();
    RgaList.Item first = new RgaList.Item(new Dot("a", 1), null, 2, "1", null, null);
    RgaList.Item last = new RgaList.Item(new Dot("a", 2), new Dot("a", 1), 1, "2", null, null);
    for (RgaList.Item item : List.of(first, last)) {
      arrayIntegrate(model, item);
      sequence = sequence.integrate(item);
    }
    Dot origin = first.tag();
    for (int i = 0; i < 200; i++) {
      Dot tag = new Dot("b", i + 1L);
      RgaList.Item item = new RgaList.Item(tag, origin, 3 + i, "\"" + i + "\"", null, null);
      arrayIntegrate(model, item);
      sequence = sequence.integrate(item);
      origin = tag;
    }
    assertThat(sequence.toList()).isEqualTo(model);
    assertThat(sequence.toList().get(201)).isEqualTo(last);
    assertThat(sequence.relabelledWindows()).isGreaterThanOrEqualTo(2);
  }

  /** The array version of RGA integration that the list used before the sequence. */
  private static void arrayIntegrate(List<RgaList.Item> list, RgaList.Item item) {
    int position = 0;
    if (item.origin() != null) {
      for (int i = 0; i < list.size(); i++) {
        if (list.get(i).tag().equals(item.origin())) {
          position = i + 1;
          break;
        }
      }
    }
    while (position < list.size() && RgaList.KEY.compare(list.get(position), item) > 0) {
      position++;
    }
    list.add(position, item);
  }
}
