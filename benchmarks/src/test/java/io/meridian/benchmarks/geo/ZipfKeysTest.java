package io.meridian.benchmarks.geo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Key popularity of the workload: uniform at exponent 0, Zipfian above (seeded, exact). */
class ZipfKeysTest {
  private static final int DRAWS = 200_000;

  private static double[] shares(double exponent, int keys) {
    Workload.ZipfKeys zipf = new Workload.ZipfKeys(exponent);
    Random random = new Random(42);
    double[] shares = new double[keys];
    for (int i = 0; i < DRAWS; i++) {
      int key = zipf.next(random, keys);
      assertThat(key).isBetween(0, keys - 1);
      shares[key] += 1.0 / DRAWS;
    }
    return shares;
  }

  @Test
  void exponentZeroIsUniform() {
    for (double share : shares(0, 16)) {
      assertThat(share).isCloseTo(1.0 / 16, within(0.005));
    }
  }

  @Test
  void exponentOneGivesKeyIAShareOfOneOverIHarmonic() {
    double harmonic = 0;
    for (int i = 1; i <= 16; i++) {
      harmonic += 1.0 / i;
    }
    double[] shares = shares(1.0, 16);
    for (int i = 0; i < 16; i++) {
      assertThat(shares[i]).as("key %d", i).isCloseTo(1 / ((i + 1) * harmonic), within(0.005));
    }
    assertThat(shares[0]).isGreaterThan(4 * shares[15]);
  }
}
