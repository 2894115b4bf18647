package io.meridian.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.clocks.Dot;
import io.meridian.clocks.HlcTimestamp;
import io.meridian.crdt.CrdtRegistry;
import io.meridian.crdt.CrdtRequestException;
import io.meridian.crdt.CrdtState;
import io.meridian.crdt.CrdtType;
import io.meridian.crdt.Effect;
import io.meridian.crdt.ErrorCode;
import io.meridian.crdt.Operation;
import io.meridian.crdt.UpdateContext;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * The offline replica's arithmetic, with the crdt-types code the regions run: a key's local state
 * is the newest object a region sent for it (its "base"), rebuilt as a CRDT state, with the
 * client's queued updates applied on top in sequence order, each prepared and applied as a region
 * does.
 *
 * <p>A region sends values, not states, so the base is rebuilt from its value by updates made at
 * replicas of their own ({@code seed-N}): a counter by one increment, a set by adding its elements,
 * an mv-register by one assignment per value at its own replica (joined, so the values stay
 * concurrent). An or-map's value does not say its fields' types; a field takes the type a queued
 * update gives it, else it is rebuilt as an lww-register of its value, which reads the same.
 */
final class LocalReplica {
  /** The replica name of the client's own queued updates in local states. */
  static final String LOCAL_REPLICA = "local";

  private static final long SEED_HLC = HlcTimestamp.pack(1, 0);

  private LocalReplica() {}

  /**
   * Applies one update to {@code state} (null: the key holds nothing), as update {@code seq}.
   *
   * @throws CrdtRequestException when it does not fit (a wrong type, an index past the end)
   */
  static CrdtState apply(CrdtState state, JsonNode body, long seq, long createdMillis, String id) {
    Operation operation = CrdtRegistry.parseUpdate(body);
    CrdtType type = CrdtRegistry.type(operation.typeName());
    if (state != null && !state.typeName().equals(type.name())) {
      throw new CrdtRequestException(
          ErrorCode.TYPE_MISMATCH,
          "the key holds a " + state.typeName() + ", the update is for a " + type.name());
    }
    CrdtState base = state == null ? type.empty() : state;
    Dot dot = new Dot(LOCAL_REPLICA, seq);
    Optional<Effect> effect =
        type.prepare(
            base,
            operation,
            new UpdateContext(dot, HlcTimestamp.pack(Math.max(2, createdMillis), 0), id, null));
    return effect.isEmpty() ? base : type.apply(base, effect.get(), dot);
  }

  /** Field types that queued updates give an or-map's fields, nested. */
  static final class FieldTypes {
    final Map<String, String> types = new HashMap<>();
    final Map<String, FieldTypes> nested = new HashMap<>();

    /**
     * Learns the field types of an update body, as crdt-types parses it; a body it refuses teaches
     * nothing.
     */
    void learn(JsonNode body) {
      try {
        learn(CrdtRegistry.parseUpdate(body));
      } catch (CrdtRequestException e) {
        // Refused when it was queued too: the region will not apply it either.
      }
    }

    private void learn(Operation operation) {
      if (operation instanceof Operation.UpdateFields update) {
        update
            .entries()
            .forEach(
                (field, fieldOperation) -> {
                  types.putIfAbsent(field, fieldOperation.typeName());
                  nested.computeIfAbsent(field, name -> new FieldTypes()).learn(fieldOperation);
                });
      }
    }
  }

  /** The state rebuilt from a region's value of a key of {@code typeName}; null for nothing. */
  static CrdtState seed(String typeName, JsonNode value, FieldTypes fieldTypes) {
    CrdtType type = CrdtRegistry.type(typeName);
    if (typeName.equals("mv-register")) {
      CrdtState state = type.empty();
      int replica = 0;
      for (JsonNode one : value) {
        ObjectNode assign = update(typeName, "assign");
        assign.set("value", one);
        state = type.join(state, seedApply(type, type.empty(), assign, replica++));
      }
      return state;
    }
    ObjectNode update = seedUpdate(typeName, value, fieldTypes);
    return update == null ? type.empty() : seedApply(type, type.empty(), update, 0);
  }

  private static CrdtState seedApply(CrdtType type, CrdtState state, JsonNode update, int replica) {
    Dot dot = new Dot("seed-" + replica, 1);
    return type.prepare(state, CrdtRegistry.parseUpdate(update), UpdateContext.of(dot, SEED_HLC))
        .map(effect -> type.apply(state, effect, dot))
        .orElse(state);
  }

  /** One update that makes {@code value} from nothing, or null when nothing is the value. */
  private static ObjectNode seedUpdate(String typeName, JsonNode value, FieldTypes fieldTypes) {
    switch (typeName) {
      case "g-counter", "pn-counter" -> {
        long amount = value.asLong();
        return amount == 0 ? null : update(typeName, "increment").put("by", amount);
      }
      case "lww-register" -> {
        ObjectNode assign = update(typeName, "assign");
        assign.set("value", value);
        return assign;
      }
      case "mv-register" -> {
        // Nested: one assignment keeps the last value; the region's answer restores them all.
        if (!value.isArray() || value.isEmpty()) {
          return null;
        }
        ObjectNode assign = update(typeName, "assign");
        assign.set("value", value.get(value.size() - 1));
        return assign;
      }
      case "ew-flag" -> {
        return value.asBoolean() ? update(typeName, "enable") : null;
      }
      case "g-set", "aw-set", "rw-set" -> {
        if (!value.isArray() || value.isEmpty()) {
          return null;
        }
        ObjectNode add = update(typeName, "add");
        add.set("elements", value);
        return add;
      }
      case "list" -> {
        if (!value.isArray() || value.isEmpty()) {
          return null;
        }
        ObjectNode insert = update(typeName, "insert").put("index", 0);
        insert.set("values", value);
        return insert;
      }
      case ObservedRemoveMap.TYPE -> {
        ObjectNode entries = JsonNodeFactory.instance.objectNode();
        Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
        while (fields.hasNext()) {
          Map.Entry<String, JsonNode> field = fields.next();
          String fieldType = fieldTypes.types.getOrDefault(field.getKey(), "lww-register");
          FieldTypes nested = fieldTypes.nested.getOrDefault(field.getKey(), new FieldTypes());
          ObjectNode fieldUpdate = seedUpdate(fieldType, field.getValue(), nested);
          if (fieldUpdate != null) {
            entries.set(field.getKey(), fieldUpdate);
          }
        }
        if (entries.isEmpty()) {
          return null;
        }
        ObjectNode update = update(typeName, "update");
        update.set("entries", entries);
        return update;
      }
      default -> throw new IllegalArgumentException("unknown type " + typeName);
    }
  }

  private static ObjectNode update(String typeName, String op) {
    return JsonNodeFactory.instance.objectNode().put("type", typeName).put("op", op);
  }
}
