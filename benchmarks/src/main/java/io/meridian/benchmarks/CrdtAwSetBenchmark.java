package io.meridian.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.clocks.Dot;
import io.meridian.crdt.CrdtRegistry;
import io.meridian.crdt.CrdtState;
import io.meridian.crdt.CrdtType;
import io.meridian.crdt.Effect;
import io.meridian.crdt.UpdateContext;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The aw-set's hot paths. {@link #joinDisjoint10000} is the figure: the join of two
 * disjoint 10,000-element sets, each made by 10,000 single-element adds at its own region, never
 * folded (two regions that have not heard of each other cannot share a stable vector); the target
 * is at most 3 ms (riak_dt's ORSWOT took 39 ms). {@link #addOneTo10000} is what one more add costs
 * a 10,000-element set at its origin: prepare, then apply of the delta.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CrdtAwSetBenchmark {
  static final int ELEMENTS = 10_000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private CrdtType type;
  private CrdtState europe;
  private CrdtState america;
  private Effect nextAdd;
  private Dot nextDot;

  @Setup
  public void setUp() {
    type = CrdtRegistry.type("aw-set");
    europe = addEach(type, "europe", "e-", ELEMENTS);
    america = addEach(type, "america", "a-", ELEMENTS);
    nextDot = new Dot("europe", ELEMENTS + 1);
    nextAdd =
        type.prepare(europe, add("e-new"), UpdateContext.of(nextDot, ELEMENTS + 1)).orElseThrow();
  }

  /** A set built by {@code count} adds at {@code region}, one element per log entry. */
  static CrdtState addEach(CrdtType type, String region, String prefix, int count) {
    CrdtState state = type.empty();
    for (int i = 1; i <= count; i++) {
      Dot dot = new Dot(region, i);
      Effect effect = type.prepare(state, add(prefix + i), UpdateContext.of(dot, i)).orElseThrow();
      state = type.apply(state, effect, dot);
    }
    return state;
  }

  static io.meridian.crdt.Operation add(String element) {
    ObjectNode request = JSON.createObjectNode().put("type", "aw-set").put("op", "add");
    ArrayNode elements = request.putArray("elements");
    elements.add(element);
    return CrdtRegistry.parseUpdate(request);
  }

  @Benchmark
  public CrdtState joinDisjoint10000() {
    return type.join(europe, america);
  }

  @Benchmark
  public CrdtState addOneTo10000() {
    Effect effect =
        type.prepare(europe, add("e-new"), UpdateContext.of(nextDot, ELEMENTS + 1)).orElseThrow();
    return type.apply(europe, effect, nextDot);
  }

  @Benchmark
  public CrdtState applyOneAddTo10000() {
    return type.apply(europe, nextAdd, nextDot);
  }
}
