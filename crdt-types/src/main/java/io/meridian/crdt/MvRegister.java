package io.meridian.crdt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The multi-value register: an assignment replaces the values it observed, and concurrent
 * assignments are all kept (Shapiro et al. 2011; as a dot store in Almeida, Shoker and Baquero,
 * 2018). Values are canonical JSON texts, shown in their text order. Immutable; {@code equals} is
 * structural.
 */
final class MvRegister implements CrdtState {
  static final String NAME = "mv-register";
  private final DotStore<String> store;

  MvRegister(DotStore<String> store) {
    this.store = Objects.requireNonNull(store);
  }

  DotStore<String> store() {
    return store;
  }

  /** The concurrent values as canonical JSON texts, in order. */
  public SortedSet<String> values() {
    return new TreeSet<>(store.entries().values());
  }

  @Override
  public String typeName() {
    return NAME;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof MvRegister register && store.equals(register.store);
  }

  @Override
  public int hashCode() {
    return store.hashCode();
  }

  @Override
  public String toString() {
    return NAME + store;
  }

  static final class Type extends RegisterType<String, MvRegister> {
    Type() {
      super(NAME, 4, MvRegister.class, MvRegister::store, MvRegister::new);
    }

    /** The value alone: concurrent assignments are all kept, in their text order. */
    @Override
    String stored(MvRegister state, Operation.Assign assign, UpdateContext context) {
      return assign.value();
    }

    @Override
    JsonNode valueTyped(MvRegister state) {
      ArrayNode array = CanonicalJson.NODES.arrayNode();
      for (String value : state.values()) {
        array.add(CanonicalJson.parse(value));
      }
      return array;
    }
  }
}
