package io.meridian.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.clocks.Dot;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

class TagsTest {
  @Property
  void isOfAgreesWithTheEntryDotOfTheTag(
      @ForAll @LongRange(min = 1, max = 40) long sequence,
      @ForAll @IntRange(min = 0, max = Tags.ORDINALS_PER_DOT_MAX - 1) int ordinal,
      @ForAll @LongRange(min = 1, max = 40) long otherSequence,
      @ForAll boolean sameReplica) {
    Dot tag = Tags.of(new Dot("r1", sequence), ordinal);
    Dot entry = new Dot(sameReplica ? "r1" : "r2", otherSequence);
    assertThat(Tags.isOf(tag, entry)).isEqualTo(Tags.entryDot(tag).equals(entry));
  }
}
