package io.meridian.crdt;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses update requests of the API ({@code {"type", "op", ...}}) into {@link Operation}s and turns
 * elements into JSON. Every malformed request is a {@link CrdtRequestException} with {@link
 * ErrorCode#BAD_REQUEST} and a message that names the problem.
 */
final class JsonMapping {
  /** Largest |by| of a counter update: 2^53. */
  static final long COUNTER_AMOUNT_MAX = 1L << 53;

  /** Longest operation id, in bytes of printable ASCII. */
  static final int OPERATION_ID_BYTES_MAX = 128;

  private JsonMapping() {}

  static Operation parse(JsonNode request, int nestingDepthMax) {
    if (nestingDepthMax < 1) {
      throw badRequest("or-map updates are nested deeper than the bound");
    }
    if (request == null || !request.isObject()) {
      throw badRequest("an update must be a JSON object");
    }
    String type = requiredText(request, "type");
    CrdtRegistry.internalType(type);
    String op = requiredText(request, "op");
    return switch (type) {
      case Counter.G_COUNTER, Counter.PN_COUNTER -> counter(type, op, request);
      case LwwRegister.NAME, MvRegister.NAME -> {
        requireOp(type, op, "assign");
        JsonNode value = request.get("value");
        if (value == null) {
          throw badRequest("assign needs a value");
        }
        yield new Operation.Assign(type, CanonicalJson.text(value));
      }
      case EwFlag.NAME -> {
        requireOp(type, op, "enable", "disable");
        yield new Operation.SetFlag(type, op.equals("enable"));
      }
      case GSet.NAME -> {
        requireOp(type, op, "add");
        yield new Operation.ChangeElements(type, true, elements(request));
      }
      case AwSet.NAME, RwSet.NAME -> {
        requireOp(type, op, "add", "remove");
        yield new Operation.ChangeElements(type, op.equals("add"), elements(request));
      }
      case OrMap.NAME -> map(op, request, nestingDepthMax);
      case RgaList.NAME -> list(op, request);
      default -> throw badRequest("unknown type " + type);
    };
  }

  private static Operation counter(String type, String op, JsonNode request) {
    if (type.equals(Counter.G_COUNTER)) {
      requireOp(type, op, "increment");
    } else {
      requireOp(type, op, "increment", "decrement");
    }
    long by = 1;
    JsonNode node = request.get("by");
    if (node != null) {
      if (!node.isIntegralNumber()) {
        throw badRequest("by must be a JSON integer");
      }
      BigInteger value = node.bigIntegerValue();
      if (value.abs().compareTo(BigInteger.valueOf(COUNTER_AMOUNT_MAX)) > 0) {
        throw badRequest("by must be at most 2^53 in magnitude");
      }
      by = value.longValueExact();
    }
    if (type.equals(Counter.G_COUNTER) && by < 0) {
      throw badRequest("a g-counter increment cannot be negative");
    }
    return new Operation.Increment(type, op.equals("decrement") ? -by : by);
  }

  private static Operation map(String op, JsonNode request, int nestingDepthMax) {
    requireOp(OrMap.NAME, op, "update", "remove");
    if (op.equals("update")) {
      JsonNode entries = request.get("entries");
      if (entries == null || !entries.isObject()) {
        throw badRequest("update needs entries, an object of field to nested update");
      }
      Map<String, Operation> nested = new LinkedHashMap<>();
      Iterator<Map.Entry<String, JsonNode>> fields = entries.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        nested.put(field.getKey(), parse(field.getValue(), nestingDepthMax - 1));
      }
      return new Operation.UpdateFields(OrMap.NAME, nested);
    }
    JsonNode fields = request.get("fields");
    if (fields == null || !fields.isArray()) {
      throw badRequest("remove needs fields, an array of strings");
    }
    List<String> names = new ArrayList<>();
    for (JsonNode field : fields) {
      if (!field.isTextual()) {
        throw badRequest("fields must be strings");
      }
      names.add(field.textValue());
    }
    return new Operation.RemoveFields(OrMap.NAME, names);
  }

  private static Operation list(String op, JsonNode request) {
    requireOp(RgaList.NAME, op, "insert", "delete");
    int index = nonNegativeInt(request, "index", null);
    if (op.equals("insert")) {
      JsonNode values = request.get("values");
      if (values == null || !values.isArray()) {
        throw badRequest("insert needs values, an array");
      }
      List<String> texts = new ArrayList<>();
      values.forEach(value -> texts.add(CanonicalJson.text(value)));
      return new Operation.Insert(RgaList.NAME, index, texts);
    }
    return new Operation.Delete(RgaList.NAME, index, nonNegativeInt(request, "count", 1));
  }

  private static int nonNegativeInt(JsonNode request, String name, Integer fallback) {
    JsonNode node = request.get(name);
    if (node == null && fallback != null) {
      return fallback;
    }
    if (node == null
        || !node.isIntegralNumber()
        || !node.canConvertToInt()
        || node.intValue() < 0) {
      throw badRequest(name + " must be a non-negative JSON integer");
    }
    return node.intValue();
  }

  private static List<Element> elements(JsonNode request) {
    JsonNode elements = request.get("elements");
    if (elements == null || !elements.isArray()) {
      throw badRequest("elements must be an array");
    }
    List<Element> parsed = new ArrayList<>();
    for (JsonNode element : elements) {
      parsed.add(element(element));
    }
    return parsed;
  }

  static Element element(JsonNode node) {
    if (node.isBoolean()) {
      return Element.of(node.booleanValue());
    }
    if (node.isNumber()) {
      return Element.of(node.decimalValue());
    }
    if (node.isTextual()) {
      return Element.of(node.textValue());
    }
    throw badRequest(
        "set elements must be strings, numbers or booleans, not " + node.getNodeType());
  }

  static JsonNode elementJson(Element element) {
    return switch (element.kind()) {
      case BOOLEAN -> CanonicalJson.NODES.booleanNode(element.booleanValue());
      case STRING -> CanonicalJson.NODES.textNode(element.stringValue());
      case NUMBER -> {
        BigDecimal value = element.numberValue();
        yield value.scale() <= 0
            ? CanonicalJson.NODES.numberNode(value.toBigIntegerExact())
            : CanonicalJson.NODES.numberNode(value);
      }
    };
  }

  /**
   * The elements an update carries, over its whole tree: the items of its {@code elements}, {@code
   * values} and {@code fields} arrays, and its map {@code entries} with theirs. Malformed shapes
   * count as nothing (they are the parser's to refuse); nesting past {@link
   * CrdtRegistry#NESTING_DEPTH_CEILING} stops the walk.
   */
  static long elementsOf(JsonNode update, int depth) {
    if (update == null || !update.isObject() || depth > CrdtRegistry.NESTING_DEPTH_CEILING) {
      return 0;
    }
    long count = 0;
    for (String field : new String[] {"elements", "values", "fields"}) {
      JsonNode items = update.get(field);
      if (items != null && items.isArray()) {
        count += items.size();
      }
    }
    JsonNode entries = update.get("entries");
    if (entries != null && entries.isObject()) {
      count += entries.size();
      for (JsonNode nested : entries) {
        count += elementsOf(nested, depth + 1);
      }
    }
    return count;
  }

  /** The text of the request's field {@code name}, null when absent or JSON null. */
  static String optionalText(JsonNode request, String name) {
    JsonNode node = present(request, name);
    if (node == null) {
      return null;
    }
    if (!node.isTextual()) {
      throw badRequest(name + " must be a string");
    }
    return node.asText();
  }

  /** Returns {@code id} when it is 1 to 128 characters of printable ASCII. */
  static String requireOperationId(String id) {
    if (id == null || id.isEmpty() || id.length() > OPERATION_ID_BYTES_MAX) {
      throw badRequest("an operation id is 1 to 128 bytes of printable ASCII");
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        throw badRequest("an operation id is 1 to 128 bytes of printable ASCII");
      }
    }
    return id;
  }

  /**
   * The client sequence of an update or a batch, {@code "client"} and {@code "seq"}, or null when
   * it carries neither (a JSON null counts as absent, as for {@code "id"}).
   */
  static ClientSequence clientSequence(JsonNode request) {
    JsonNode client = present(request, "client");
    JsonNode sequence = present(request, "seq");
    if (client == null && sequence == null) {
      return null;
    }
    if (client == null || sequence == null) {
      throw badRequest("client and seq go together: an update carries both or neither");
    }
    if (present(request, "id") != null) {
      throw badRequest("an update carries an id or a client and seq, not both");
    }
    if (!client.isTextual()) {
      throw badRequest("client must be a string");
    }
    if (!sequence.isIntegralNumber()
        || sequence.bigIntegerValue().signum() <= 0
        || sequence.bigIntegerValue().compareTo(BigInteger.valueOf(ClientSequence.SEQUENCE_MAX))
            > 0) {
      throw badRequest("seq must be a JSON integer from 1 to 2^53");
    }
    return new ClientSequence(client.textValue(), sequence.longValue());
  }

  private static JsonNode present(JsonNode request, String name) {
    JsonNode node = request == null ? null : request.get(name);
    return node == null || node.isNull() ? null : node;
  }

  private static String requiredText(JsonNode request, String name) {
    JsonNode node = request.get(name);
    if (node == null || !node.isTextual()) {
      throw badRequest("an update needs " + name + ", a string");
    }
    return node.textValue();
  }

  private static void requireOp(String type, String op, String... allowed) {
    for (String candidate : allowed) {
      if (candidate.equals(op)) {
        return;
      }
    }
    throw badRequest(
        "unknown op "
            + op
            + " for "
            + type
            + " (expected one of "
            + String.join(", ", allowed)
            + ")");
  }

  static CrdtRequestException wrongOperation(String type, Operation operation) {
    return badRequest(
        "operation " + operation.getClass().getSimpleName() + " does not apply to " + type);
  }

  static CrdtRequestException badRequest(String message) {
    return new CrdtRequestException(ErrorCode.BAD_REQUEST, message);
  }
}
