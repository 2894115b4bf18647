package io.meridian.server.region;

import io.meridian.clocks.VersionVector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The change streams of one region, owned by its {@link RegionDriver} (same thread, no locks, no
 * Vert.x): who watches which keys, and when each key last changed, so a stream that resumes from a
 * vector gets exactly the keys that changed since (never fewer).
 *
 * <p>The driver reports every key an applied entry or a state transfer touched ({@link #touched}),
 * then, once per group of applied entries, {@link #publish}es: each watcher of a touched key gets
 * one call with the objects it watches as they are now and the vector they reflect, so the calls a
 * watcher gets are in the order the region applied the entries, which is causal order.
 *
 * <p>When a key last changed is kept for {@value #LAST_CHANGES_MAX} keys at most; a key forgotten
 * (or never seen since the region started) counts as changed at the merge of every forgotten vector
 * and the vector the region recovered to: more keys may be resent, none is skipped.
 */
final class Watches {
  /** Keys whose last change is remembered exactly. */
  static final int LAST_CHANGES_MAX = 100_000;

  /** Told of a watcher's keys that changed, on the driver's thread; must not block. */
  @FunctionalInterface
  interface Sink {
    /**
     * @param objects the watched keys that changed, as they are now
     * @param vector what they reflect
     * @return false to stop watching (the reader fell behind)
     */
    boolean changed(List<RegionObject> objects, VersionVector vector);
  }

  /**
   * A watch just registered.
   *
   * @param id what {@link RegionDriver#unwatch} takes
   * @param objects the watched keys that changed since the watcher's vector (all that exist when it
   *     gave none)
   * @param vector what they reflect; the watcher's next calls follow it
   */
  record Start(long id, List<RegionObject> objects, VersionVector vector) {}

  /** One watcher; identity equality (a map key per publish). */
  private static final class Watcher {
    final long id;
    final Set<ObjectName> names;
    final Sink sink;

    Watcher(long id, Set<ObjectName> names, Sink sink) {
      this.id = id;
      this.names = names;
      this.sink = sink;
    }
  }

  private final Map<Long, Watcher> byId = new HashMap<>();
  private final Map<ObjectName, List<Watcher>> byName = new HashMap<>();
  private final LinkedHashMap<ObjectName, VersionVector> lastChange = new LinkedHashMap<>();
  private final Set<ObjectName> touched = new LinkedHashSet<>();
  private VersionVector floor = VersionVector.empty();
  private long nextId = 1;

  /** The region recovered to {@code vector}: every key may have changed up to it. */
  void recovered(VersionVector vector) {
    touched.clear();
    lastChange.clear();
    floor = vector;
  }

  /** An applied entry or a state transfer changed {@code name}. */
  void touched(ObjectName name) {
    touched.add(name);
  }

  int size() {
    return byId.size();
  }

  /**
   * Records the keys touched since the last call as changed at {@code vector} and tells their
   * watchers; a watcher whose sink answers false is dropped.
   */
  void publish(VersionVector vector, Function<ObjectName, RegionObject> object) {
    if (touched.isEmpty()) {
      return;
    }
    Map<Watcher, List<RegionObject>> calls = new LinkedHashMap<>();
    for (ObjectName name : touched) {
      lastChange.remove(name);
      lastChange.put(name, vector);
      List<Watcher> watchers = byName.get(name);
      if (watchers != null) {
        RegionObject now = object.apply(name);
        for (Watcher watcher : watchers) {
          calls.computeIfAbsent(watcher, w -> new ArrayList<>()).add(now);
        }
      }
    }
    touched.clear();
    forgetOldest();
    for (Map.Entry<Watcher, List<RegionObject>> call : calls.entrySet()) {
      if (!call.getKey().sink.changed(List.copyOf(call.getValue()), vector)) {
        remove(call.getKey().id);
      }
    }
  }

  private void forgetOldest() {
    Iterator<Map.Entry<ObjectName, VersionVector>> oldest = lastChange.entrySet().iterator();
    while (lastChange.size() > LAST_CHANGES_MAX) {
      floor = floor.merge(oldest.next().getValue());
      oldest.remove();
    }
  }

  /**
   * Registers a watcher of {@code names} at {@code vector} (the region's now) and returns the keys
   * changed since {@code since} (null: every key that exists).
   */
  Start add(
      List<ObjectName> names,
      VersionVector since,
      VersionVector vector,
      Function<ObjectName, RegionObject> object,
      Sink sink) {
    Watcher watcher = new Watcher(nextId++, Set.copyOf(names), sink);
    byId.put(watcher.id, watcher);
    List<RegionObject> objects = new ArrayList<>();
    for (ObjectName name : watcher.names) {
      byName.computeIfAbsent(name, n -> new ArrayList<>()).add(watcher);
    }
    for (ObjectName name : new LinkedHashSet<>(names)) {
      if (since != null && since.dominates(lastChange.getOrDefault(name, floor))) {
        continue;
      }
      RegionObject now = object.apply(name);
      if (now.found()) {
        objects.add(now);
      }
    }
    return new Start(watcher.id, List.copyOf(objects), vector);
  }

  /** Stops watcher {@code id}; nothing if it is gone already. */
  void remove(long id) {
    Watcher watcher = byId.remove(id);
    if (watcher == null) {
      return;
    }
    for (ObjectName name : watcher.names) {
      List<Watcher> watchers = byName.get(name);
      if (watchers != null) {
        watchers.remove(watcher);
        if (watchers.isEmpty()) {
          byName.remove(name);
        }
      }
    }
  }
}
