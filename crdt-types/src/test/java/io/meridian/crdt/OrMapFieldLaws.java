package io.meridian.crdt;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The law suite on an or-map whose fields hold one kind of nested type: 60 steps, so that fields
 * are removed and updated again many times, and field removes that carry an earlier read's context.
 */
abstract class OrMapFieldLaws extends CrdtLaws {
  @Override
  final String typeName() {
    return OrMap.NAME;
  }

  @Override
  final int steps() {
    return 60;
  }

  /** A remove of {@code field} carrying the context of an earlier read at any replica. */
  static Simulation.Request removeWithEarlierRead(String field) {
    ObjectNode remove = Requests.request(OrMap.NAME, "remove");
    remove.putArray("fields").add(field);
    return new Simulation.Request(remove, null, true);
  }
}
