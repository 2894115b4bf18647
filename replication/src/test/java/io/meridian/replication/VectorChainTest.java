package io.meridian.replication;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.clocks.VersionVector;
import org.junit.jupiter.api.Test;

/** The order of a region's vectors that the core checks after every step and advance. */
class VectorChainTest {
  private static final VersionVector SETTLED = VersionVector.of("a", 1);
  private static final VersionVector STABLE = VersionVector.of("a", 2);
  private static final VersionVector ACKNOWLEDGED = VersionVector.of("a", 3).with("b", 1);
  private static final VersionVector APPLIED = VersionVector.of("a", 4).with("b", 2);
  private static final VersionVector ACCEPTED = VersionVector.of("a", 5).with("b", 2);

  @Test
  void aChainInOrderPassesWithTrimmedAnywhereBetweenStableAndApplied() {
    for (VersionVector trimmed : new VersionVector[] {STABLE, APPLIED, VersionVector.of("b", 2)}) {
      VersionVector atLeastStable = trimmed.merge(STABLE);
      assertThatCode(
              () ->
                  new VectorChain(SETTLED, STABLE, ACKNOWLEDGED, APPLIED, ACCEPTED, atLeastStable)
                      .check("a"))
          .doesNotThrowAnyException();
    }
  }

  @Test
  void eachBrokenLinkFailsFastNamingEveryVector() {
    VersionVector above = VersionVector.of("a", 9).with("b", 9);
    VectorChain[] broken = {
      new VectorChain(ACKNOWLEDGED, STABLE, ACKNOWLEDGED, APPLIED, ACCEPTED, STABLE),
      new VectorChain(SETTLED, APPLIED, ACKNOWLEDGED, APPLIED, ACCEPTED, APPLIED),
      new VectorChain(SETTLED, STABLE, above, APPLIED, ACCEPTED, STABLE),
      new VectorChain(SETTLED, STABLE, ACKNOWLEDGED, APPLIED, ACKNOWLEDGED, STABLE),
      // An entry stable everywhere still in the log.
      new VectorChain(SETTLED, STABLE, ACKNOWLEDGED, APPLIED, ACCEPTED, SETTLED),
      new VectorChain(SETTLED, STABLE, ACKNOWLEDGED, APPLIED, ACCEPTED, ACCEPTED),
    };
    for (VectorChain chain : broken) {
      assertThatThrownBy(() -> chain.check("a"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("vector invariant broken at a")
          .hasMessageContaining("settled " + chain.settled())
          .hasMessageContaining("stable " + chain.stable())
          .hasMessageContaining("trimmed " + chain.trimmed());
    }
  }
}
