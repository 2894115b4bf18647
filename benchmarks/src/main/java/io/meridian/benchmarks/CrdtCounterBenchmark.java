package io.meridian.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.clocks.Dot;
import io.meridian.crdt.CrdtRegistry;
import io.meridian.crdt.CrdtState;
import io.meridian.crdt.CrdtType;
import io.meridian.crdt.Effect;
import io.meridian.crdt.Operation;
import io.meridian.crdt.UpdateContext;
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
 * A top-level pn-counter between two folds (issue 12): a counter holding {@code increments}
 * unfolded increments, made round-robin at three origins, each applied in causal order; {@link
 * #applyOneIncrement} is the apply of one more increment's effect at a region, {@link #value} the
 * value a read renders. With {@code operationIds} every increment carries its own op id, as a
 * retried or batched update does; without, none does.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CrdtCounterBenchmark {
  private static final String[] ORIGINS = {"america", "asia", "europe"};
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Unfolded increments the counter holds. */
  @Param({"10", "1000", "10000"})
  public int increments;

  /** Whether each increment carries an operation id. */
  @Param({"false", "true"})
  public boolean operationIds;

  private CrdtType type;
  private CrdtState counter;
  private Effect nextIncrement;
  private Dot nextDot;

  @Setup
  public void setUp() {
    type = CrdtRegistry.type("pn-counter");
    Operation increment = increment(3);
    CrdtState state = type.empty();
    for (int i = 0; i < increments; i++) {
      Dot dot = new Dot(ORIGINS[i % ORIGINS.length], i / ORIGINS.length + 1);
      state = type.apply(state, prepare(state, increment, dot, i), dot);
    }
    counter = state;
    nextDot = new Dot(ORIGINS[0], increments / ORIGINS.length + 2);
    nextIncrement = prepare(counter, increment(-1), nextDot, increments);
  }

  private Effect prepare(CrdtState state, Operation operation, Dot dot, int index) {
    UpdateContext context =
        new UpdateContext(dot, index + 1L, operationIds ? "op-" + index : null, null);
    return type.prepare(state, operation, context).orElseThrow();
  }

  private static Operation increment(long by) {
    return CrdtRegistry.parseUpdate(
        JSON.createObjectNode().put("type", "pn-counter").put("op", "increment").put("by", by));
  }

  /** One more increment's effect applied to the counter. */
  @Benchmark
  public CrdtState applyOneIncrement() {
    return type.apply(counter, nextIncrement, nextDot);
  }

  /** What a write does: the apply, then the value of the new state for the answer. */
  @Benchmark
  public Object applyOneIncrementThenValue() {
    return type.value(type.apply(counter, nextIncrement, nextDot));
  }

  /** The counter's value as a read renders it. */
  @Benchmark
  public Object value() {
    return type.value(counter);
  }
}
