package io.meridian.clocks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Replica names against their regular-expression spec, and the order and validation of dots. */
class DotAndReplicaIdsTest {
  private static final Pattern REPLICA_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

  /** Strings near the rule: mostly legal characters, some illegal ones, lengths around 64. */
  @Provide
  Arbitrary<String> candidateNames() {
    return Arbitraries.strings()
        .withCharRange('a', 'z')
        .withCharRange('0', '9')
        .withChars('.', '_', '-', 'A', 'Z', ' ', '/', 'é')
        .ofMaxLength(ReplicaIds.NAME_LENGTH_MAX + 2);
  }

  @Property
  void replicaNamesFollowTheirSpec(@ForAll("candidateNames") String name) {
    boolean valid = REPLICA_NAME.matcher(name).matches();
    assertThat(ReplicaIds.isValid(name)).isEqualTo(valid);
    if (valid) {
      assertThat(ReplicaIds.require(name)).isEqualTo(name);
    } else {
      assertThatThrownBy(() -> ReplicaIds.require(name))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Provide
  Arbitrary<Dot> dots() {
    return ClocksArbitraries.dots();
  }

  @Property
  void dotsOrderByReplicaThenCounter(@ForAll("dots") Dot left, @ForAll("dots") Dot right) {
    int byReplica = left.replica().compareTo(right.replica());
    int expected = byReplica != 0 ? byReplica : Long.compare(left.counter(), right.counter());
    assertThat(Integer.signum(left.compareTo(right))).isEqualTo(Integer.signum(expected));
    assertThat(left.compareTo(right) == 0).isEqualTo(left.equals(right));
  }

  @Example
  void invalidDotsAreRejected() {
    assertThatThrownBy(() -> new Dot("a", 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Dot("a", -1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Dot("A", 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Dot(null, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThat(new Dot("eu-west-1", 3)).hasToString("eu-west-1:3");
  }
}
