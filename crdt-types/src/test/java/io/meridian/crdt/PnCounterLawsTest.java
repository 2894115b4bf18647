package io.meridian.crdt;

class PnCounterLawsTest extends CounterLawsTest {
  @Override
  String typeName() {
    return Counter.PN_COUNTER;
  }
}
