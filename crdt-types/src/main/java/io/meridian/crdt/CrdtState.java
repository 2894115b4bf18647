package io.meridian.crdt;

/**
 * The state of one key (or of one or-map field): an immutable value of one CRDT type. States are
 * handled through their {@link CrdtType}; {@code equals} is structural.
 */
public interface CrdtState {
  /** The API name of the state's type, e.g. {@code "aw-set"}. */
  String typeName();
}
