package io.meridian.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which increments of a batch become one update, and which must not. */
class CoalescingTest {

  private static Update increment(String key, String type, long by) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put("type", type).put("op", "increment").put("by", by);
    return new Update("b", key, body, false);
  }

  private static Update add(String key) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put("type", "aw-set").put("op", "add").putArray("elements").add("x");
    return new Update("b", key, body, false);
  }

  private static String shape(List<Update> updates) {
    List<String> parts = new ArrayList<>();
    updates.forEach(update -> parts.add(update.key + ":" + update.body.path("by").asText("-")));
    return String.join(" ", parts);
  }

  @Test
  void theIncrementsOfOneCounterBecomeOneAtTheFirstsPlace() {
    List<Update> batch = new ArrayList<>();
    batch.add(add("set"));
    for (int i = 0; i < 1_000; i++) {
      batch.add(increment("n", "pn-counter", 2));
      batch.add(increment("g" + (i % 2), "g-counter", 1));
    }
    assertThat(shape(Coalescing.increments(batch))).isEqualTo("set:- n:2000 g0:500 g1:500");
  }

  @Test
  void aSingleIncrementOrABatchWithNothingToCoalesceIsLeftAsItIs() {
    List<Update> one = List.of(increment("n", "pn-counter", 1));
    assertThat(Coalescing.increments(one)).isSameAs(one);
    List<Update> distinct =
        List.of(increment("a", "pn-counter", 1), increment("b", "pn-counter", 1));
    assertThat(Coalescing.increments(distinct)).isSameAs(distinct);
  }

  @Test
  void amountsOfBothSignsAreNotCoalescedSoAnOverflowOnTheWayIsRefusedAlike() {
    List<Update> batch = List.of(increment("n", "pn-counter", 5), increment("n", "pn-counter", -5));
    assertThat(shape(Coalescing.increments(batch))).isEqualTo("n:5 n:-5");
  }

  @Test
  void aSumPastTheApisBoundIsNotCoalesced() {
    long half = Coalescing.AMOUNT_MAX / 2 + 1;
    List<Update> batch =
        List.of(increment("n", "pn-counter", half), increment("n", "pn-counter", half));
    assertThat(Coalescing.increments(batch)).hasSize(2);
  }

  @Test
  void aKeyWithAnotherOperationOrAnotherTypeIsNotCoalesced() {
    List<Update> mixedOperations =
        List.of(increment("n", "pn-counter", 1), add("n"), increment("n", "pn-counter", 1));
    assertThat(Coalescing.increments(mixedOperations)).hasSize(3);
    List<Update> mixedTypes =
        List.of(increment("n", "pn-counter", 1), increment("n", "g-counter", 1));
    assertThat(Coalescing.increments(mixedTypes)).hasSize(2);
  }

  @Test
  void aMapsCounterFieldIsNotCoalesced() {
    try (Meridian client = Meridian.builder().region("r1", "http://127.0.0.1:1").build()) {
      Counter field = client.map("b", "m").counter("n");
      List<Update> batch = List.of(field.incrementUpdate(1), field.incrementUpdate(1));
      assertThat(Coalescing.increments(batch)).hasSize(2);
    }
  }
}
