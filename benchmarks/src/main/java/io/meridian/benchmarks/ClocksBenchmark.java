package io.meridian.benchmarks;

import io.meridian.clocks.CausalContext;
import io.meridian.clocks.ClocksCodec;
import io.meridian.clocks.HybridLogicalClock;
import io.meridian.clocks.PhysicalClock;
import io.meridian.clocks.VersionVector;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
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
 * The clock operations every replicated update pays for: merging and comparing 16-region version
 * vectors, merging causal contexts, issuing HLC timestamps, and encoding a vector.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ClocksBenchmark {
  private VersionVector left;
  private VersionVector right;
  private CausalContext leftContext;
  private CausalContext rightContext;
  private HybridLogicalClock clock;

  @Setup
  public void setUp() {
    SplittableRandom random = new SplittableRandom(42);
    Map<String, Long> a = new HashMap<>();
    Map<String, Long> b = new HashMap<>();
    for (int region = 0; region < 16; region++) {
      a.put("region-" + region, 1 + random.nextLong(1_000_000));
      b.put("region-" + region, 1 + random.nextLong(1_000_000));
    }
    left = VersionVector.of(a);
    right = VersionVector.of(b);
    leftContext = CausalContext.of(left);
    rightContext = CausalContext.of(right);
    clock = new HybridLogicalClock(PhysicalClock.system(), 500);
  }

  @Benchmark
  public VersionVector versionVectorMerge16() {
    return left.merge(right);
  }

  @Benchmark
  public VersionVector.Ordering versionVectorCompare16() {
    return left.compare(right);
  }

  @Benchmark
  public CausalContext causalContextMerge16() {
    return leftContext.merge(rightContext);
  }

  @Benchmark
  public byte[] versionVectorEncode16() {
    return ClocksCodec.encode(left);
  }

  @Benchmark
  public long hybridLogicalClockNow() {
    return clock.now();
  }
}
