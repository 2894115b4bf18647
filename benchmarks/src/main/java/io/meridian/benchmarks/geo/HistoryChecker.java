package io.meridian.benchmarks.geo;

import io.meridian.benchmarks.geo.Operation.Kind;
import io.meridian.benchmarks.geo.Operation.Outcome;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Judges a run's history and the regions' final states. Pure: no I/O, so a test can feed it a
 * history it wrote by hand. Keys are named by their role: {@code c-N} g-counters, {@code s-N}
 * g-sets, {@code pa-N}/{@code pb-N} the two g-sets of a causal pair (a session adds an element to
 * {@code pb-N} only after its add to {@code pa-N} was acknowledged), {@code lww-S} session S's own
 * lww-register (assigned increasing numbers by that session alone).
 *
 * <p>What it checks, with the design's names:
 *
 * <ul>
 *   <li>no acknowledged update lost: every acknowledged set element is in every region's final set;
 *       nothing appears that no one added (or whose every attempt was refused);
 *   <li>counters within [acknowledged, acknowledged + unanswered], each operation id counted once
 *       however often it was sent: exactly once (S4);
 *   <li>snapshot reads causally closed (S1): a snapshot that shows an element in {@code pb-N} shows
 *       it in {@code pa-N}; likewise the final states;
 *   <li>session guarantees (S5), per session in its order: a read shows the session's acknowledged
 *       writes (RYW) and never less than its earlier reads of the key (MR);
 *   <li>a causally later LWW assignment wins (S6): a session's register ends at its last
 *       acknowledged assignment, or at a later one that was not answered;
 *   <li>convergence after heal (S2, L1): every region ends with the same state.
 * </ul>
 */
public final class HistoryChecker {
  private HistoryChecker() {}

  /**
   * Checks a run.
   *
   * @param history every operation, in invocation order
   * @param finalStates region → key → value (a counter's number, a set's elements as a list, a
   *     register's value; absent or null where the region has no such key)
   * @param converged whether the regions reached equal states after the heal
   * @return the violations found, empty when the run passes
   */
  public static List<String> check(
      List<Operation> history, Map<String, Map<String, Object>> finalStates, boolean converged) {
    List<String> violations = new ArrayList<>();
    checkSessions(history, violations);
    checkFinal(history, finalStates, violations);
    if (!converged) {
      violations.add(
          "S2/L1: the regions did not converge after the heal: " + differences(finalStates));
    }
    return violations;
  }

  // ------------------------------------------------------------------ sessions (S1, S5)

  private static void checkSessions(List<Operation> history, List<String> violations) {
    Map<Integer, List<Operation>> bySession = new TreeMap<>();
    for (Operation operation : history) {
      bySession.computeIfAbsent(operation.session(), s -> new ArrayList<>()).add(operation);
    }
    for (List<Operation> operations : bySession.values()) {
      new SessionWalk().walk(operations, violations);
    }
  }

  /** One session's state while its operations are replayed in order. */
  private static final class SessionWalk {
    private final Map<String, Set<Object>> ackedElements = new HashMap<>();
    private final Map<String, Long> ackedIncrements = new HashMap<>();
    private final Map<String, Object> lastRead = new HashMap<>();
    private final Set<String> ackedIds = new HashSet<>();
    private long lastAckedAssign = -1;
    private long lastInvokedAssign = -1;

    void walk(List<Operation> operations, List<String> violations) {
      for (Operation operation : operations) {
        if (operation.kind().isUpdate()) {
          update(operation);
        } else if (operation.outcome() == Outcome.OK) {
          for (int i = 0; i < operation.keys().size(); i++) {
            read(operation, operation.keys().get(i), operation.values().get(i), violations);
          }
          if (operation.kind() == Kind.SNAPSHOT_READ) {
            snapshotClosed(operation, violations);
          }
        }
      }
    }

    private void update(Operation operation) {
      String key = operation.keys().get(0);
      if (operation.kind() == Kind.ASSIGN) {
        lastInvokedAssign = Math.max(lastInvokedAssign, asLong(operation.argument()));
      }
      if (operation.outcome() != Outcome.OK || !ackedIds.add(operation.operationId())) {
        return;
      }
      switch (operation.kind()) {
        case INCREMENT -> ackedIncrements.merge(key, asLong(operation.argument()), Long::sum);
        case ADD, PAIR_FIRST, PAIR_SECOND ->
            ackedElements.computeIfAbsent(key, k -> new HashSet<>()).add(operation.argument());
        case ASSIGN -> lastAckedAssign = Math.max(lastAckedAssign, asLong(operation.argument()));
        default -> throw new IllegalStateException("not an update: " + operation.kind());
      }
    }

    private void read(Operation operation, String key, Object value, List<String> violations) {
      String at =
          " (op "
              + operation.index()
              + ", session "
              + operation.session()
              + ", "
              + key
              + " at "
              + operation.region()
              + ")";
      if (key.startsWith("c-")) {
        long seen = value == null ? 0 : asLong(value);
        long own = ackedIncrements.getOrDefault(key, 0L);
        if (seen < own) {
          violations.add("S5 RYW: counter read " + seen + " < own acknowledged " + own + at);
        }
        Object previous = lastRead.get(key);
        if (previous != null && seen < asLong(previous)) {
          violations.add("S5 MR: counter read " + seen + " < earlier read " + previous + at);
        }
        lastRead.put(key, seen);
      } else if (key.startsWith("lww-")) {
        if (lastAckedAssign >= 0 && value == null) {
          violations.add("S5 RYW: register not found after assign " + lastAckedAssign + at);
        } else if (value != null) {
          long seen = asLong(value);
          if (seen < lastAckedAssign || seen > lastInvokedAssign) {
            violations.add(
                "S5/S6: register read "
                    + seen
                    + ", acknowledged "
                    + lastAckedAssign
                    + ", invoked up to "
                    + lastInvokedAssign
                    + at);
          }
        }
      } else {
        Set<Object> seen = elements(value);
        Set<Object> missing = new HashSet<>(ackedElements.getOrDefault(key, Set.of()));
        missing.removeAll(seen);
        if (!missing.isEmpty()) {
          violations.add("S5 RYW: set read misses own acknowledged " + missing + at);
        }
        Set<Object> lost = elements(lastRead.get(key));
        lost.removeAll(seen);
        if (!lost.isEmpty()) {
          violations.add("S5 MR: set read misses earlier read " + lost + at);
        }
        lastRead.put(key, new ArrayList<>(seen));
      }
    }

    private static void snapshotClosed(Operation operation, List<String> violations) {
      Set<Object> later = elements(operation.values().get(1));
      later.removeAll(elements(operation.values().get(0)));
      if (!later.isEmpty()) {
        violations.add(
            "S1: snapshot shows "
                + later
                + " in "
                + operation.keys().get(1)
                + " but not in "
                + operation.keys().get(0)
                + " (op "
                + operation.index()
                + " at "
                + operation.region()
                + ")");
      }
    }
  }

  // ------------------------------------------------------------------ final states

  private static void checkFinal(
      List<Operation> history,
      Map<String, Map<String, Object>> finalStates,
      List<String> violations) {
    Map<String, IdOutcome> byId = new LinkedHashMap<>();
    for (Operation operation : history) {
      if (operation.kind().isUpdate()) {
        byId.computeIfAbsent(operation.operationId(), id -> new IdOutcome(operation))
            .add(operation.outcome());
      }
    }
    Map<String, long[]> counterBounds = new HashMap<>();
    Map<String, Set<Object>> ackedElements = new HashMap<>();
    Map<String, Set<Object>> possibleElements = new HashMap<>();
    Map<String, List<IdOutcome>> assigns = new HashMap<>();
    for (IdOutcome id : byId.values()) {
      String key = id.first.keys().get(0);
      Outcome outcome = id.outcome();
      switch (id.first.kind()) {
        case INCREMENT -> {
          long[] bounds = counterBounds.computeIfAbsent(key, k -> new long[2]);
          long by = asLong(id.first.argument());
          bounds[0] += outcome == Outcome.OK ? by : 0;
          bounds[1] += outcome == Outcome.FAILED ? 0 : by;
        }
        case ADD, PAIR_FIRST, PAIR_SECOND -> {
          if (outcome == Outcome.OK) {
            ackedElements.computeIfAbsent(key, k -> new HashSet<>()).add(id.first.argument());
          }
          if (outcome != Outcome.FAILED) {
            possibleElements.computeIfAbsent(key, k -> new HashSet<>()).add(id.first.argument());
          }
        }
        case ASSIGN -> assigns.computeIfAbsent(key, k -> new ArrayList<>()).add(id);
        default -> throw new IllegalStateException("not an update: " + id.first.kind());
      }
    }
    for (Map.Entry<String, Map<String, Object>> region : finalStates.entrySet()) {
      String name = region.getKey();
      Map<String, Object> state = region.getValue();
      counterBounds.forEach(
          (key, bounds) -> {
            long value = state.get(key) == null ? 0 : asLong(state.get(key));
            if (value < bounds[0] || value > bounds[1]) {
              violations.add(
                  (value < bounds[0] ? "lost acknowledged increments" : "S4 exactly once")
                      + ": "
                      + key
                      + " at "
                      + name
                      + " is "
                      + value
                      + ", expected within ["
                      + bounds[0]
                      + ", "
                      + bounds[1]
                      + "]");
            }
          });
      Set<String> setKeys = new HashSet<>(ackedElements.keySet());
      setKeys.addAll(possibleElements.keySet());
      for (String key : setKeys) {
        Set<Object> present = elements(state.get(key));
        Set<Object> lost = new HashSet<>(ackedElements.getOrDefault(key, Set.of()));
        lost.removeAll(present);
        if (!lost.isEmpty()) {
          violations.add(
              "lost acknowledged adds: "
                  + key
                  + " at "
                  + name
                  + " misses "
                  + lost.size()
                  + " element(s), e.g. "
                  + lost.iterator().next());
        }
        present.removeAll(possibleElements.getOrDefault(key, Set.of()));
        if (!present.isEmpty()) {
          violations.add("phantom elements: " + key + " at " + name + " has " + present);
        }
      }
      assigns.forEach((key, ids) -> checkRegister(key, ids, state.get(key), name, violations));
      for (String key : state.keySet()) {
        if (key.startsWith("pb-")) {
          Set<Object> later = elements(state.get(key));
          later.removeAll(elements(state.get("pa-" + key.substring(3))));
          if (!later.isEmpty()) {
            violations.add(
                "S1: final "
                    + key
                    + " at "
                    + name
                    + " has "
                    + later
                    + " missing from its pair's first key");
          }
        }
      }
    }
  }

  private static void checkRegister(
      String key, List<IdOutcome> ids, Object value, String region, List<String> violations) {
    long lastAcked = -1;
    for (IdOutcome id : ids) {
      if (id.outcome() == Outcome.OK) {
        lastAcked = Math.max(lastAcked, asLong(id.first.argument()));
      }
    }
    Set<Long> allowed = new HashSet<>();
    if (lastAcked >= 0) {
      allowed.add(lastAcked);
    }
    for (IdOutcome id : ids) {
      long assigned = asLong(id.first.argument());
      if (id.outcome() == Outcome.UNKNOWN && assigned > lastAcked) {
        allowed.add(assigned);
      }
    }
    Long actual = value == null ? null : asLong(value);
    boolean ok = actual == null ? lastAcked < 0 : allowed.contains(actual);
    if (!ok) {
      violations.add(
          "S6: "
              + key
              + " at "
              + region
              + " is "
              + actual
              + ", the causally last acknowledged assignment is "
              + lastAcked
              + " (later unanswered: "
              + allowed
              + ")");
    }
  }

  /** Every send of one operation id: the id's effect is acknowledged if any send was. */
  private static final class IdOutcome {
    final Operation first;
    boolean ok;
    boolean unknown;

    IdOutcome(Operation first) {
      this.first = first;
    }

    void add(Outcome outcome) {
      ok |= outcome == Outcome.OK;
      unknown |= outcome == Outcome.UNKNOWN;
    }

    Outcome outcome() {
      return ok ? Outcome.OK : unknown ? Outcome.UNKNOWN : Outcome.FAILED;
    }
  }

  private static String differences(Map<String, Map<String, Object>> finalStates) {
    List<String> out = new ArrayList<>();
    Map<String, Object> reference = null;
    String referenceName = null;
    for (Map.Entry<String, Map<String, Object>> region : finalStates.entrySet()) {
      if (reference == null) {
        reference = region.getValue();
        referenceName = region.getKey();
        continue;
      }
      Set<String> keys = new HashSet<>(reference.keySet());
      keys.addAll(region.getValue().keySet());
      for (String key : keys) {
        if (!Objects.equals(normal(reference.get(key)), normal(region.getValue().get(key)))) {
          out.add(key + " differs between " + referenceName + " and " + region.getKey());
          if (out.size() >= 5) {
            return out + " ...";
          }
        }
      }
    }
    return out.toString();
  }

  /**
   * A value in a form that compares equal across regions: sets as sets, numbers as longs.
   *
   * @param value a value as decoded from JSON
   * @return its comparable form
   */
  static Object normal(Object value) {
    if (value instanceof Collection<?>) {
      return elements(value);
    }
    if (value instanceof Number number) {
      return number.longValue();
    }
    return value;
  }

  static Set<Object> elements(Object value) {
    Set<Object> out = new HashSet<>();
    if (value instanceof Iterable<?> iterable) {
      for (Object element : iterable) {
        out.add(element instanceof Number number ? (Object) number.longValue() : element);
      }
    }
    return out;
  }

  static long asLong(Object value) {
    if (value instanceof Number number) {
      return number.longValue();
    }
    return Long.parseLong(value.toString());
  }
}
