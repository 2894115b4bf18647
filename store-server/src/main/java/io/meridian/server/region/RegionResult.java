package io.meridian.server.region;

import io.meridian.clocks.VersionVector;
import java.util.List;

/**
 * What a served request returns: the objects in request order, and the vector to merge into the
 * session token: for a write the new entry's dot (the write vector grows by it), for a read the
 * region's whole applied vector when it read (the read vector grows by it; this is more than what
 * the keys read depend on, and so safe for MR and WFR at the price of waits that a per-key vector
 * would avoid). Immutable.
 *
 * @param objects the objects
 * @param vector what the session now has written (writes) or read (reads)
 */
public record RegionResult(List<RegionObject> objects, VersionVector vector) {
  public RegionResult {
    objects = List.copyOf(objects);
  }
}
