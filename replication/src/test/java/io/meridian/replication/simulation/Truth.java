package io.meridian.replication.simulation;

import io.meridian.clocks.Dot;
import io.meridian.clocks.VersionVector;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the simulator knows and the regions do not: every entry made, the true causal past of each
 * (what its region showed when the client wrote, plus the region's own earlier entries, closed
 * transitively), and which entries a client was told are durable.
 */
final class Truth {
  /**
   * An entry as made.
   *
   * @param dot its name
   * @param hlc its timestamp
   * @param causalPast the true causal past, a causally closed set as a vector
   * @param keyNames the keys of its updates, by ordinal
   * @param assigns which updates also assign the key's register, by ordinal (model workload)
   * @param requests the client requests of the updates, by ordinal (CRDT workload; else empty)
   */
  record Made(
      Dot dot,
      long hlc,
      VersionVector causalPast,
      List<String> keyNames,
      List<Boolean> assigns,
      List<CrdtWorkload.Request> requests) {
    UpdateId update(int ordinal) {
      return new UpdateId(dot.replica(), dot.counter(), ordinal);
    }
  }

  private final Map<Dot, Made> made = new HashMap<>();
  private final Set<Dot> acknowledged = new HashSet<>();

  /** Records an entry; one made again after a crash lost the first replaces it. */
  void made(Made entry) {
    if (acknowledged.contains(entry.dot())) {
      throw new IllegalStateException("an acknowledged entry's dot was reused: " + entry.dot());
    }
    made.put(entry.dot(), entry);
  }

  Made get(Dot dot) {
    return made.get(dot);
  }

  void acknowledged(Dot dot) {
    acknowledged.add(dot);
  }

  Set<Dot> acknowledged() {
    return acknowledged;
  }

  Map<Dot, Made> all() {
    return made;
  }
}
