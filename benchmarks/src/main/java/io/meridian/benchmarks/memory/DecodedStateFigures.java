package io.meridian.benchmarks.memory;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.clocks.Dot;
import io.meridian.crdt.CrdtRegistry;
import io.meridian.crdt.CrdtState;
import io.meridian.crdt.CrdtType;
import io.meridian.crdt.Effect;
import io.meridian.crdt.UpdateContext;
import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * Heap of a decoded key state beside its encoded size, the ratio the region's cache of decoded
 * states weighs by: {@code COUNT} copies of one state decoded from the same bytes and held, heap
 * after GC before and after, divided by {@code COUNT}. Shapes: {@code pn-counter} after {@code
 * UPDATES} increments from three regions, {@code aw-set} after {@code UPDATES} adds of 100 elements
 * of 16 characters each.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.meridian.benchmarks.memory.DecodedStateFigures \
 *     pn-counter|aw-set COUNT UPDATES
 * </pre>
 */
public final class DecodedStateFigures {
  private static final ObjectMapper JSON = new ObjectMapper();

  private DecodedStateFigures() {}

  /** Prints the figure the arguments name; see the class comment. */
  public static void main(String[] args) {
    String shape = args[0];
    int count = Integer.parseInt(args[1]);
    int updates = Integer.parseInt(args[2]);
    CrdtType type = CrdtRegistry.type(shape);
    CrdtState state = type.empty();
    for (int i = 1; i <= updates; i++) {
      ObjectNode update = JSON.createObjectNode().put("type", shape);
      if (shape.equals("pn-counter")) {
        update.put("op", "increment").put("by", 1);
      } else {
        update.put("op", "add");
        ArrayNode elements = update.putArray("elements");
        for (int e = 0; e < 100; e++) {
          elements.add(String.format(Locale.ROOT, "e%09d-%05d", i, e));
        }
      }
      Dot dot = new Dot("r" + i % 3, i);
      Effect effect =
          type.prepare(
                  state, CrdtRegistry.parseUpdate(update), new UpdateContext(dot, i, null, null))
              .orElseThrow();
      state = type.apply(state, effect, dot);
    }
    byte[] encoded = CrdtRegistry.encodeState(state);
    Object[] held = new Object[count];
    long before = heapAfterGc();
    for (int i = 0; i < count; i++) {
      held[i] = CrdtRegistry.decodeState(encoded);
    }
    long after = heapAfterGc();
    double perState = (after - before) / (double) count - 4;
    System.out.printf(
        Locale.ROOT,
        "%s after %d updates: %d bytes encoded, %.0f bytes of heap decoded (%.1f times), %d held%n",
        shape,
        updates,
        encoded.length,
        perState,
        perState / encoded.length,
        held.length);
  }

  private static long heapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
