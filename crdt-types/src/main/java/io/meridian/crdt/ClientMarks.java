package io.meridian.crdt;

import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;

/**
 * Per client, the highest sequence number of the client's updates of one key that have become
 * stable: the memory that keeps a retry from applying twice after its operation id folded away,
 * bounded per (key, client) rather than per update or by time. Marks join by taking the maximum per
 * client (a grow-only map of max registers, so the join is commutative, associative and
 * idempotent). Immutable; {@code equals} is structural.
 */
final class ClientMarks {
  private static final ClientMarks EMPTY = new ClientMarks(PersistentSortedMap.empty());

  private final PersistentSortedMap<String, Long> highest;

  private ClientMarks(PersistentSortedMap<String, Long> highest) {
    this.highest = highest;
  }

  static ClientMarks empty() {
    return EMPTY;
  }

  /**
   * The marks of {@code highest}, client to sequence.
   *
   * @throws CrdtRequestException for a sequence or client out of range
   */
  static ClientMarks of(SortedMap<String, Long> highest) {
    ClientMarks marks = EMPTY;
    for (Map.Entry<String, Long> entry : highest.entrySet()) {
      marks = marks.raised(new ClientSequence(entry.getKey(), entry.getValue()));
    }
    return marks;
  }

  /** Client to highest stable sequence, in client order. */
  SortedMap<String, Long> highest() {
    return highest;
  }

  boolean isEmpty() {
    return highest.isEmpty();
  }

  /** True when {@code sequence} is at or below its client's mark: an update already applied. */
  boolean covers(ClientSequence sequence) {
    Long mark = highest.get(sequence.client());
    return mark != null && sequence.sequence() <= mark;
  }

  /** These marks with {@code sequence}'s client raised to it, if it is higher. */
  ClientMarks raised(ClientSequence sequence) {
    if (covers(sequence)) {
      return this;
    }
    return new ClientMarks(highest.plus(sequence.client(), sequence.sequence()));
  }

  /** The join: per client, the higher mark. */
  ClientMarks join(ClientMarks other) {
    if (other.highest.size() > highest.size()) {
      return other.join(this);
    }
    ClientMarks joined = this;
    for (Map.Entry<String, Long> entry : other.highest.entrySet()) {
      joined = joined.raised(new ClientSequence(entry.getKey(), entry.getValue()));
    }
    return joined;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ClientMarks marks && highest.equals(marks.highest);
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(highest);
  }

  @Override
  public String toString() {
    return "marks" + highest;
  }
}
