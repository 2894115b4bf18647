package io.meridian.crdt;

class GCounterLawsTest extends CounterLawsTest {
  @Override
  String typeName() {
    return Counter.G_COUNTER;
  }
}
