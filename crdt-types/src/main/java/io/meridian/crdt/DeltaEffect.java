package io.meridian.crdt;

import java.util.Objects;

/**
 * The effect of a delta-state type: a delta, itself a state, that {@code apply} joins in.
 *
 * @param delta the delta state
 */
record DeltaEffect(CrdtState delta) implements Effect {
  public DeltaEffect {
    Objects.requireNonNull(delta);
  }

  @Override
  public String typeName() {
    return delta.typeName();
  }
}
