package io.meridian.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.Objects;

/**
 * Turns an application's values into the JSON the API stores and back: register values, set
 * elements, list items. Small on purpose, so an application plugs in its own (a record through
 * Jackson, an enum by name). Set elements must encode to JSON strings, numbers or booleans.
 *
 * @param <T> the application's type
 */
public interface Codec<T> {
  /**
   * The JSON form of {@code value}; never null.
   *
   * @param value the value
   * @return the JSON form
   */
  JsonNode encode(T value);

  /**
   * The value of {@code json}.
   *
   * @param json a JSON value
   * @return the value
   * @throws IllegalArgumentException when {@code json} is not a form of {@code T}
   */
  T decode(JsonNode json);

  /**
   * Strings as JSON strings.
   *
   * @return the codec
   */
  static Codec<String> strings() {
    return new Codec<>() {
      @Override
      public JsonNode encode(String value) {
        return JsonNodeFactory.instance.textNode(Objects.requireNonNull(value, "value"));
      }

      @Override
      public String decode(JsonNode json) {
        if (!json.isTextual()) {
          throw new IllegalArgumentException("expected a JSON string, got " + json);
        }
        return json.textValue();
      }
    };
  }

  /**
   * 64-bit integers as JSON integers.
   *
   * @return the codec
   */
  static Codec<Long> longs() {
    return new Codec<>() {
      @Override
      public JsonNode encode(Long value) {
        return JsonNodeFactory.instance.numberNode(Objects.requireNonNull(value, "value"));
      }

      @Override
      public Long decode(JsonNode json) {
        if (!json.isIntegralNumber() || !json.canConvertToLong()) {
          throw new IllegalArgumentException("expected a 64-bit JSON integer, got " + json);
        }
        return json.longValue();
      }
    };
  }

  /**
   * JSON as it is.
   *
   * @return the codec
   */
  static Codec<JsonNode> json() {
    return new Codec<>() {
      @Override
      public JsonNode encode(JsonNode value) {
        return Objects.requireNonNull(value, "value");
      }

      @Override
      public JsonNode decode(JsonNode json) {
        return json;
      }
    };
  }

  /**
   * Any type Jackson's default {@link ObjectMapper} maps (records, beans, lists, maps).
   *
   * @param <T> the class's type
   * @param type the class to map
   * @return the codec
   */
  static <T> Codec<T> jackson(Class<T> type) {
    ObjectMapper mapper = new ObjectMapper();
    return new Codec<>() {
      @Override
      public JsonNode encode(T value) {
        return mapper.valueToTree(Objects.requireNonNull(value, "value"));
      }

      @Override
      public T decode(JsonNode json) {
        return mapper.convertValue(json, type);
      }
    };
  }
}
