package io.meridian.crdt;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * A parsed update request ({@code {"type", "op", ...}}), checked and typed but not yet bound to a
 * state. Made by {@link CrdtRegistry#parseUpdate}; turned into an {@link Effect} by {@link
 * CrdtType#prepare}.
 */
public sealed interface Operation {
  /** The API type name the request named. */
  String typeName();

  /** {@code increment}/{@code decrement} of a counter, as one signed amount. */
  record Increment(String typeName, long amount) implements Operation {}

  /** {@code assign} of a register; {@code value} is the canonical JSON text. */
  record Assign(String typeName, String value) implements Operation {}

  /** {@code enable} (true) or {@code disable} (false) of an ew-flag. */
  record SetFlag(String typeName, boolean enable) implements Operation {}

  /** {@code add} (true) or {@code remove} (false) of set elements. */
  record ChangeElements(String typeName, boolean add, List<Element> elements) implements Operation {
    public ChangeElements {
      elements = List.copyOf(elements);
    }
  }

  /** {@code update} of or-map fields, each with its nested update. */
  record UpdateFields(String typeName, Map<String, Operation> entries) implements Operation {
    public UpdateFields {
      entries = Map.copyOf(entries);
    }
  }

  /** {@code remove} of or-map fields. */
  record RemoveFields(String typeName, List<String> fields) implements Operation {
    public RemoveFields {
      fields = List.copyOf(fields);
    }
  }

  /** {@code insert} into a list; {@code values} are canonical JSON texts. */
  record Insert(String typeName, int index, List<String> values) implements Operation {
    public Insert {
      values = List.copyOf(values);
    }
  }

  /** {@code delete} of {@code count} list items from {@code index}. */
  record Delete(String typeName, int index, int count) implements Operation {}

  /** Keeps the raw request for a caller that wants it in an error message. */
  static String describe(JsonNode request) {
    String text = request.toString();
    return text.length() <= 120 ? text : text.substring(0, 120) + "...";
  }
}
