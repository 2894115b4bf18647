package io.meridian.crdt;

/**
 * What an update does to a key, made once at the origin by {@link CrdtType#prepare} and replayed at
 * every region by {@link CrdtType#apply}: a delta state for the delta-state types, an operation for
 * the operation-based ones (counters, the list, the or-map), which the replication log delivers
 * exactly once in causal order. Immutable, structural equality.
 */
public interface Effect {
  /** The API name of the type the effect belongs to. */
  String typeName();
}
