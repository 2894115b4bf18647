package io.meridian.crdt;

import java.util.List;
import java.util.TreeSet;

/** The three sets: laws, and each set's value from its causal history. */
abstract class SetLawsTest extends CrdtLaws {
  @Override
  Simulation.RequestGenerator requests() {
    return (random, state) -> {
      boolean add = typeName().equals(GSet.NAME) || random.nextInt(3) > 0;
      String id = random.nextInt(6) == 0 ? "id-" + random.nextInt(2) : null;
      return new Simulation.Request(
          Requests.request(typeName(), add ? "add" : "remove")
              .set("elements", Requests.someElements(random)),
          id);
    };
  }

  static Operation.ChangeElements change(Simulation.Entry entry) {
    return (Operation.ChangeElements) Requests.operation(entry);
  }

  /** Every element any entry of the history names. */
  static TreeSet<Element> named(List<Simulation.Entry> history) {
    TreeSet<Element> elements = new TreeSet<>();
    history.forEach(entry -> elements.addAll(change(entry).elements()));
    return elements;
  }
}
