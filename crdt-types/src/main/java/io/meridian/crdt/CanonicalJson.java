package io.meridian.crdt;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.clocks.DecodeException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * Canonical JSON text for register and list values: object fields sorted by name, numbers kept
 * exactly as big decimals, no insignificant whitespace. Equal JSON values give equal text, which is
 * what the mv-register's canonical order and deterministic encodings need.
 */
final class CanonicalJson {
  static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
          .build();
  static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

  private CanonicalJson() {}

  static String text(JsonNode value) {
    try {
      return MAPPER.writeValueAsString(sorted(value));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serialises", e);
    }
  }

  /** Parses text this class wrote (from a decoded state); bad text is a {@link DecodeException}. */
  static JsonNode parse(String text) {
    try {
      JsonNode node = MAPPER.readTree(text);
      if (node == null || node.isMissingNode() || !text(node).equals(text)) {
        throw new DecodeException("stored JSON value is not canonical");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new DecodeException("stored JSON value is malformed", e);
    }
  }

  private static JsonNode sorted(JsonNode value) {
    if (value.isObject()) {
      List<String> names = new ArrayList<>();
      Iterator<String> iterator = value.fieldNames();
      iterator.forEachRemaining(names::add);
      Collections.sort(names);
      ObjectNode object = NODES.objectNode();
      for (String name : names) {
        object.set(name, sorted(value.get(name)));
      }
      return object;
    }
    if (value.isArray()) {
      ArrayNode array = NODES.arrayNode();
      value.forEach(item -> array.add(sorted(item)));
      return array;
    }
    return value;
  }
}
