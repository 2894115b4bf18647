package io.meridian.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.clocks.Dot;
import io.meridian.crdt.CrdtRegistry;
import io.meridian.crdt.CrdtState;
import io.meridian.crdt.CrdtType;
import io.meridian.crdt.Effect;
import io.meridian.crdt.Operation;
import io.meridian.crdt.UpdateContext;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The list (issue 12): a list of {@code items} items, made by inserts of 1,000 values each at
 * alternating ends at two origins, and one more insert (or delete) in its middle. {@link
 * #applyInsertMiddle} is what every region does for an insert; {@link #prepareInsertMiddle} what
 * the origin does first (index to item); {@link #applyDeleteMiddle} the apply of a delete of one
 * item; {@link #joinOneMoreItem} the join of the list with a copy that holds one more item, as a
 * state transfer does.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CrdtListBenchmark {
  private static final String[] ORIGINS = {"america", "europe"};
  private static final int VALUES_PER_INSERT = 1_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Items the list holds. */
  @Param({"10000", "100000"})
  public int items;

  private CrdtType type;
  private CrdtState list;
  private CrdtState listPlusOne;
  private Operation insertMiddle;
  private Effect insertEffect;
  private Effect deleteEffect;
  private Dot nextDot;

  @Setup
  public void setUp() {
    type = CrdtRegistry.type("list");
    CrdtState state = type.empty();
    int inserts = items / VALUES_PER_INSERT;
    for (int i = 0; i < inserts; i++) {
      Dot dot = new Dot(ORIGINS[i % ORIGINS.length], i / ORIGINS.length + 1);
      int index = i % 2 == 0 ? 0 : i * VALUES_PER_INSERT;
      Effect effect = prepare(state, insert(index, VALUES_PER_INSERT, i), dot).orElseThrow();
      state = type.apply(state, effect, dot);
    }
    list = state;
    nextDot = new Dot(ORIGINS[0], inserts + 1);
    insertMiddle = insert(items / 2, 1, -1);
    insertEffect = prepare(list, insertMiddle, nextDot).orElseThrow();
    deleteEffect = prepare(list, delete(items / 2), nextDot).orElseThrow();
    listPlusOne = type.apply(list, insertEffect, nextDot);
  }

  private Optional<Effect> prepare(CrdtState state, Operation operation, Dot dot) {
    return type.prepare(state, operation, new UpdateContext(dot, dot.counter(), null, null));
  }

  private static Operation insert(int index, int count, int value) {
    ObjectNode request =
        JSON.createObjectNode().put("type", "list").put("op", "insert").put("index", index);
    var values = request.putArray("values");
    for (int i = 0; i < count; i++) {
      values.add(value * VALUES_PER_INSERT + i);
    }
    return CrdtRegistry.parseUpdate(request);
  }

  private static Operation delete(int index) {
    return CrdtRegistry.parseUpdate(
        JSON.createObjectNode().put("type", "list").put("op", "delete").put("index", index));
  }

  /** One insert of one value in the middle, applied. */
  @Benchmark
  public CrdtState applyInsertMiddle() {
    return type.apply(list, insertEffect, nextDot);
  }

  /** The delete of the middle item, applied. */
  @Benchmark
  public CrdtState applyDeleteMiddle() {
    return type.apply(list, deleteEffect, nextDot);
  }

  /** An insert of one value in the middle, prepared at its origin. */
  @Benchmark
  public Optional<Effect> prepareInsertMiddle() {
    return prepare(list, insertMiddle, nextDot);
  }

  /** The list joined with a copy that holds one more item. */
  @Benchmark
  public CrdtState joinOneMoreItem() {
    return type.join(list, listPlusOne);
  }
}
