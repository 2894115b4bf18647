package io.meridian.crdt;

import io.meridian.clocks.CausalContext;
import io.meridian.clocks.Dot;
import io.meridian.clocks.VersionVector;

/**
 * Tags name the single items a state holds (an element's add, a counter's increment). A log entry
 * has one dot {@code (origin, seq)}, but one entry may touch a key several times and one update may
 * create several items, so a tag is the entry's dot plus an ordinal, packed into a {@link Dot}
 * whose counter is {@code seq << 16 | ordinal}. That keeps tags in the clocks module's causal
 * contexts; the price is that a context's dots are never contiguous, so they stay in its cloud
 * until {@link #stableTags} folds them.
 */
final class Tags {
  static final int ORDINAL_BITS = 16;
  static final int ORDINALS_PER_DOT_MAX = 1 << ORDINAL_BITS;
  static final long SEQUENCE_MAX = Long.MAX_VALUE >>> ORDINAL_BITS;

  private Tags() {}

  static Dot of(Dot entryDot, int ordinal) {
    if (ordinal < 0 || ordinal >= ORDINALS_PER_DOT_MAX) {
      throw new IllegalArgumentException("tag ordinal out of range: " + ordinal);
    }
    if (entryDot.counter() > SEQUENCE_MAX) {
      throw new IllegalArgumentException("entry sequence too large for a tag: " + entryDot);
    }
    return new Dot(entryDot.replica(), (entryDot.counter() << ORDINAL_BITS) | ordinal);
  }

  /** The log entry's dot that made {@code tag}. */
  static Dot entryDot(Dot tag) {
    return new Dot(tag.replica(), tag.counter() >>> ORDINAL_BITS);
  }

  /**
   * Whether {@code tag} was made by the log entry {@code entryDot}: as {@code
   * entryDot(tag).equals(entryDot)}, without making a dot. Scans of a state's tags ask this of
   * every tag, and a new dot validates its replica name again, which the tag's name passed when it
   * entered the state.
   */
  static boolean isOf(Dot tag, Dot entryDot) {
    return tag.counter() >>> ORDINAL_BITS == entryDot.counter()
        && tag.replica().equals(entryDot.replica());
  }

  static int ordinal(Dot tag) {
    return (int) (tag.counter() & (ORDINALS_PER_DOT_MAX - 1));
  }

  /** The first ordinal that {@code entryDot} has not used yet in {@code context}. */
  static int nextOrdinal(CausalContext context, Dot entryDot) {
    long max = context.max(entryDot.replica());
    long sequence = max >>> ORDINAL_BITS;
    if (sequence > entryDot.counter()) {
      throw new IllegalArgumentException(
          "entry dot " + entryDot + " is older than what the state has seen of its origin");
    }
    if (sequence < entryDot.counter()) {
      return 0;
    }
    int next = ordinal(new Dot(entryDot.replica(), max)) + 1;
    if (next >= ORDINALS_PER_DOT_MAX) {
      throw new CrdtRequestException(
          ErrorCode.BAD_REQUEST, "too many items created in one key by one batch");
    }
    return next;
  }

  /** The vector of tags covering every entry dot at or below {@code stable}. */
  static VersionVector stableTags(VersionVector stable) {
    VersionVector tags = VersionVector.empty();
    for (var entry : stable.toMap().entrySet()) {
      long sequence = Math.min(entry.getValue(), SEQUENCE_MAX);
      tags = tags.with(entry.getKey(), (sequence << ORDINAL_BITS) | (ORDINALS_PER_DOT_MAX - 1));
    }
    return tags;
  }
}
