package io.meridian.server.region;

import io.meridian.crdt.CrdtRegistry;
import io.meridian.crdt.CrdtState;
import io.meridian.crdt.CrdtType;
import java.util.Objects;

/**
 * One object as a region read it: its name and its state (immutable), or no state for a key this
 * region has seen no update of. What JSON it shows is the HTTP layer's business.
 *
 * @param name the object
 * @param state its state, or null when not found
 */
public record RegionObject(ObjectName name, CrdtState state) {
  public RegionObject {
    Objects.requireNonNull(name, "name");
  }

  /** True when the region has seen an update of the object. */
  public boolean found() {
    return state != null;
  }

  /**
   * The object's type.
   *
   * @throws IllegalStateException when the object was not found
   */
  public CrdtType type() {
    if (state == null) {
      throw new IllegalStateException(name + " was not found");
    }
    return CrdtRegistry.typeOf(state);
  }
}
