package io.meridian.crdt;

/** What a type needs from the delivery of its effects. */
public enum Delivery {
  /**
   * Effects are delta states: delivered in causal order, a duplicate or a re-join changes nothing.
   */
  CAUSAL,
  /**
   * Effects are operations (counters, list, and the or-map that may hold them): each must be
   * applied exactly once, in causal order, as the replication layer's log guarantees.
   */
  CAUSAL_EXACTLY_ONCE
}
