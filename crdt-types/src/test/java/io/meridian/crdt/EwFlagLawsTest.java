package io.meridian.crdt;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** ew-flag: on iff some enable has no causally later disable. */
class EwFlagLawsTest extends CrdtLaws {
  @Override
  String typeName() {
    return EwFlag.NAME;
  }

  @Override
  Simulation.RequestGenerator requests() {
    return (random, state) ->
        new Simulation.Request(
            Requests.request(EwFlag.NAME, random.nextBoolean() ? "enable" : "disable"),
            random.nextInt(6) == 0 ? "id-" + random.nextInt(2) : null);
  }

  private static boolean enables(Simulation.Entry entry) {
    return ((Operation.SetFlag) Requests.operation(entry)).enable();
  }

  @Override
  JsonNode specifiedValue(List<Simulation.Entry> history) {
    boolean on =
        history.stream()
            .filter(EwFlagLawsTest::enables)
            .anyMatch(
                enable ->
                    history.stream()
                        .noneMatch(
                            disable -> !enables(disable) && Requests.before(enable, disable)));
    return CanonicalJson.NODES.booleanNode(on);
  }
}
