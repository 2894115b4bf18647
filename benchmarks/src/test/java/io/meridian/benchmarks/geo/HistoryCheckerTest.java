package io.meridian.benchmarks.geo;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.benchmarks.geo.Operation.Kind;
import io.meridian.benchmarks.geo.Operation.Outcome;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The checker on histories written by hand: each rule passes its good case and fails its bad one.
 */
class HistoryCheckerTest {
  private final List<Operation> history = new ArrayList<>();

  private void op(
      int session,
      Kind kind,
      String key,
      String id,
      Object argument,
      Outcome outcome,
      Object... values) {
    List<String> keys =
        kind == Kind.SNAPSHOT_READ ? List.of(key, key.replace("pa-", "pb-")) : List.of(key);
    history.add(
        new Operation(
            history.size(),
            session,
            kind,
            "r1",
            keys,
            id,
            argument,
            0,
            0,
            1,
            outcome,
            outcome == Outcome.OK ? 200 : 0,
            Arrays.asList(values),
            null,
            null));
  }

  private static Map<String, Map<String, Object>> everywhere(Map<String, Object> state) {
    Map<String, Map<String, Object>> states = new LinkedHashMap<>();
    states.put("r1", state);
    states.put("r2", state);
    return states;
  }

  @Test
  void countersMustLieBetweenAcknowledgedAndAcknowledgedPlusUnanswered() {
    op(0, Kind.INCREMENT, "c-0", "a", 2L, Outcome.OK, 2L);
    op(0, Kind.INCREMENT, "c-0", "b", 3L, Outcome.UNKNOWN, (Object) null);
    op(0, Kind.INCREMENT, "c-0", "c", 4L, Outcome.FAILED, (Object) null);
    // The same id sent again and acknowledged counts once.
    op(1, Kind.INCREMENT, "c-0", "a", 2L, Outcome.OK, 2L);
    assertThat(HistoryChecker.check(history, everywhere(Map.of("c-0", 2L)), true)).isEmpty();
    assertThat(HistoryChecker.check(history, everywhere(Map.of("c-0", 5L)), true)).isEmpty();
    assertThat(HistoryChecker.check(history, everywhere(Map.of("c-0", 1L)), true))
        .hasSize(2)
        .allMatch(v -> v.startsWith("lost acknowledged increments"));
    assertThat(HistoryChecker.check(history, everywhere(Map.of("c-0", 7L)), true))
        .hasSize(2)
        .allMatch(v -> v.startsWith("S4 exactly once"));
  }

  @Test
  void acknowledgedAddsMustSurviveAndNothingMayAppearFromNowhere() {
    op(0, Kind.ADD, "s-0", "a", "x", Outcome.OK, List.of("x"));
    op(0, Kind.ADD, "s-0", "b", "y", Outcome.FAILED, (Object) null);
    assertThat(HistoryChecker.check(history, everywhere(Map.of("s-0", List.of("x"))), true))
        .isEmpty();
    assertThat(HistoryChecker.check(history, everywhere(Map.of("s-0", List.of())), true))
        .hasSize(2)
        .allMatch(v -> v.startsWith("lost acknowledged adds"));
    assertThat(HistoryChecker.check(history, everywhere(Map.of("s-0", List.of("x", "y"))), true))
        .hasSize(2)
        .allMatch(v -> v.startsWith("phantom elements"));
  }

  @Test
  void aSnapshotShowingTheLaterAddMustShowTheEarlierOne() {
    op(0, Kind.PAIR_FIRST, "pa-0", "a", "p", Outcome.OK, List.of("p"));
    op(0, Kind.PAIR_SECOND, "pb-0", "ab", "p", Outcome.OK, List.of("p"));
    op(1, Kind.SNAPSHOT_READ, "pa-0", null, null, Outcome.OK, List.of("p"), List.of("p"));
    Map<String, Object> state = Map.of("pa-0", List.of("p"), "pb-0", List.of("p"));
    assertThat(HistoryChecker.check(history, everywhere(state), true)).isEmpty();
    op(2, Kind.SNAPSHOT_READ, "pa-0", null, null, Outcome.OK, null, List.of("p"));
    assertThat(HistoryChecker.check(history, everywhere(state), true))
        .singleElement()
        .asString()
        .startsWith("S1:");
  }

  @Test
  void aSessionReadsItsWritesAndNeverGoesBack() {
    op(0, Kind.ADD, "s-1", "a", "x", Outcome.OK, List.of("x"));
    op(0, Kind.READ, "s-1", null, null, Outcome.OK, List.of("x", "z"));
    Map<String, Object> state = Map.of("s-1", List.of("x", "z"));
    op(1, Kind.ADD, "s-1", "z", "z", Outcome.OK, List.of("z"));
    assertThat(HistoryChecker.check(history, everywhere(state), true)).isEmpty();
    op(0, Kind.READ, "s-1", null, null, Outcome.OK, List.of("x"));
    assertThat(HistoryChecker.check(history, everywhere(state), true))
        .singleElement()
        .asString()
        .startsWith("S5 MR");
    history.clear();
    op(0, Kind.INCREMENT, "c-1", "a", 3L, Outcome.OK, 3L);
    op(0, Kind.READ, "c-1", null, null, Outcome.OK, 2L);
    assertThat(HistoryChecker.check(history, everywhere(Map.of("c-1", 3L)), true))
        .singleElement()
        .asString()
        .startsWith("S5 RYW");
  }

  @Test
  void theCausallyLastAssignmentWins() {
    op(0, Kind.ASSIGN, "lww-0", "a", 1L, Outcome.OK, 1L);
    op(0, Kind.ASSIGN, "lww-0", "b", 2L, Outcome.OK, 2L);
    op(0, Kind.ASSIGN, "lww-0", "c", 3L, Outcome.UNKNOWN, (Object) null);
    assertThat(HistoryChecker.check(history, everywhere(Map.of("lww-0", 2L)), true)).isEmpty();
    assertThat(HistoryChecker.check(history, everywhere(Map.of("lww-0", 3L)), true)).isEmpty();
    assertThat(HistoryChecker.check(history, everywhere(Map.of("lww-0", 1L)), true))
        .hasSize(2)
        .allMatch(v -> v.startsWith("S6:"));
  }

  @Test
  void regionsThatDidNotConvergeFail() {
    Map<String, Map<String, Object>> states = new LinkedHashMap<>();
    states.put("r1", Map.of("c-0", 1L));
    states.put("r2", Map.of("c-0", 2L));
    assertThat(HistoryChecker.check(history, states, false))
        .singleElement()
        .asString()
        .startsWith("S2/L1")
        .contains("c-0 differs");
  }
}
