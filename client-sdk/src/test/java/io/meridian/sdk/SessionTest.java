package io.meridian.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.clocks.DecodeException;
import io.meridian.clocks.VersionVector;
import io.meridian.server.session.SessionToken;
import io.meridian.server.session.SessionTokenCodec;
import java.util.EnumSet;
import java.util.Set;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** The SDK reads and writes session tokens exactly as regions do, and merges them monotonically. */
class SessionTest {
  private static VersionVector vector(int regions, long seed) {
    TreeMap<String, Long> entries = new TreeMap<>();
    java.util.Random random = new java.util.Random(seed);
    for (int i = 0; i < regions; i++) {
      if (random.nextBoolean()) {
        entries.put("r" + i, 1 + (long) random.nextInt(Integer.MAX_VALUE) * random.nextInt(3));
      }
    }
    return VersionVector.of(entries);
  }

  @Property(tries = 200)
  void theSdkEncodesTokensAsRegionsDoAndReadsTheirs(
      @ForAll @IntRange(min = 0, max = 16) int regions, @ForAll @LongRange long seed) {
    VersionVector write = vector(regions, seed);
    VersionVector read = vector(regions, ~seed);
    String server = SessionTokenCodec.encode(SessionToken.of(write, read));
    assertThat(Session.encode(write, read)).isEqualTo(server);
    VersionVector[] decoded = Session.decode(server);
    assertThat(decoded[0]).isEqualTo(write);
    assertThat(decoded[1]).isEqualTo(read);
  }

  @Property(tries = 200)
  void mergingTokensNeverMovesTheSessionBack(
      @ForAll @LongRange long first, @ForAll @LongRange long second) {
    Session session = new Session();
    VersionVector firstWrite = vector(4, first);
    VersionVector secondWrite = vector(4, second);
    session.merge(Session.encode(firstWrite, vector(4, ~first)));
    session.merge(Session.encode(secondWrite, vector(4, ~second)));
    assertThat(session.writeVector()).isEqualTo(firstWrite.merge(secondWrite));
    assertThat(session.readVector()).isEqualTo(vector(4, ~first).merge(vector(4, ~second)));
  }

  @Test
  void aTokenInAnotherFormIsRefusedNotGuessedAt() {
    Session session = new Session();
    assertThatThrownBy(() -> session.merge("not*base64")).isInstanceOf(DecodeException.class);
    assertThatThrownBy(() -> session.merge("CAI")).isInstanceOf(DecodeException.class);
    assertThat(session.token()).isNull();
  }

  @Test
  void guaranteesHaveTheHeaderFormRegionsParse() {
    assertThat(Guarantee.header(Guarantee.causal())).isEqualTo("causal");
    assertThat(Guarantee.header(Set.of())).isEqualTo("none");
    assertThat(Guarantee.header(EnumSet.of(Guarantee.MONOTONIC_READS, Guarantee.READ_YOUR_WRITES)))
        .isEqualTo("RYW,MR");
  }
}
