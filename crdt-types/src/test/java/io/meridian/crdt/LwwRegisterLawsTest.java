package io.meridian.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.meridian.clocks.Dot;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * lww-register: a causally later assignment has a higher timestamp whatever the clocks said (S6),
 * and the value is the assignment with the highest (timestamp, origin, tag).
 */
class LwwRegisterLawsTest extends CrdtLaws {
  @Override
  String typeName() {
    return LwwRegister.NAME;
  }

  @Override
  Simulation.RequestGenerator requests() {
    return (random, state) ->
        new Simulation.Request(
            Requests.request(LwwRegister.NAME, "assign").set("value", Requests.someValue(random)),
            random.nextInt(6) == 0 ? "id-" + random.nextInt(2) : null);
  }

  private static Map.Entry<Dot, LwwRegister.Stamped> assignment(Simulation.Entry entry) {
    LwwRegister delta = (LwwRegister) ((DeltaEffect) entry.effect()).delta();
    return delta.store().entries().entrySet().iterator().next();
  }

  @Override
  JsonNode specifiedValue(List<Simulation.Entry> history) {
    for (Simulation.Entry earlier : history) {
      for (Simulation.Entry later : history) {
        if (Requests.before(earlier, later)) {
          assertThat(assignment(later).getValue().timestamp())
              .as("S6: a causally later assignment has a higher timestamp")
              .isGreaterThan(assignment(earlier).getValue().timestamp());
        }
      }
    }
    return history.stream()
        .map(LwwRegisterLawsTest::assignment)
        .max(
            Comparator.<Map.Entry<Dot, LwwRegister.Stamped>>comparingLong(
                    entry -> entry.getValue().timestamp())
                .thenComparing(entry -> entry.getKey().replica())
                .thenComparingLong(entry -> entry.getKey().counter()))
        .map(entry -> CanonicalJson.parse(entry.getValue().value()))
        .orElse(NullNode.getInstance());
  }
}
