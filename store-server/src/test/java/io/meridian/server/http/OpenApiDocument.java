package io.meridian.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The OpenAPI 3.0 description of the API ({@code openapi.yaml} on the class path), parsed, with a
 * small checker of the subset of JSON Schema the file uses: {@code $ref}, {@code type}, {@code
 * required}, {@code properties}, {@code additionalProperties}, {@code items}, {@code enum}, {@code
 * oneOf}, {@code allOf}, {@code anyOf}, and the numeric, length and item-count bounds. Not a
 * general OpenAPI validator: a keyword it does not know is refused, so the file cannot silently say
 * more than the test checks.
 */
final class OpenApiDocument {
  static final String RESOURCE = "/openapi.yaml";

  private static final List<String> KNOWN_KEYWORDS =
      List.of(
          "$ref",
          "type",
          "format",
          "required",
          "properties",
          "additionalProperties",
          "items",
          "enum",
          "oneOf",
          "allOf",
          "anyOf",
          "minimum",
          "maximum",
          "minLength",
          "maxLength",
          "minItems",
          "maxItems",
          "default",
          "example",
          "description",
          "x-status");

  /** One operation: a method on a path template. */
  record Operation(String method, String pathTemplate, JsonNode node) {
    String operationId() {
      return node.path("operationId").asText();
    }
  }

  private final JsonNode root;
  private final Map<Pattern, String> templates = new LinkedHashMap<>();

  private OpenApiDocument(JsonNode root) {
    this.root = root;
    root.path("paths")
        .fieldNames()
        .forEachRemaining(
            template -> {
              // The router matches its fixed routes on the normalized path (the file says so);
              // the object routes are matched on the raw path.
              String pattern =
                  template.contains("{")
                      ? Pattern.quote(template).replaceAll("\\{[^}/]+}", "\\\\E[^/]*\\\\Q")
                      : Pattern.quote(template);
              templates.put(Pattern.compile(pattern), template);
            });
  }

  static OpenApiDocument load() {
    try (InputStream in = OpenApiDocument.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is not on the class path");
      }
      return new OpenApiDocument(new YAMLMapper().readTree(in));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  JsonNode root() {
    return root;
  }

  /** Every operation of the file, in file order. */
  List<Operation> operations() {
    List<Operation> operations = new ArrayList<>();
    root.path("paths")
        .fields()
        .forEachRemaining(
            path ->
                path.getValue()
                    .fields()
                    .forEachRemaining(
                        method -> {
                          if (!method.getKey().equals("parameters")) {
                            operations.add(
                                new Operation(
                                    method.getKey().toUpperCase(java.util.Locale.ROOT),
                                    path.getKey(),
                                    method.getValue()));
                          }
                        }));
    return operations;
  }

  /** The path template that a concrete raw path (query excluded) matches, if any. */
  Optional<String> templateOf(String rawPath) {
    String normalized = normalize(rawPath);
    return templates.entrySet().stream()
        .filter(
            entry ->
                entry
                    .getKey()
                    .matcher(entry.getValue().contains("{") ? rawPath : normalized)
                    .matches())
        .map(Map.Entry::getValue)
        .findFirst();
  }

  /**
   * The path as the router matches its fixed routes (RFC 3986, section 6.2.2): percent-encoded
   * unreserved characters decoded, dot segments removed; then repeated slashes collapsed and one
   * trailing slash dropped.
   */
  static String normalize(String rawPath) {
    java.util.regex.Matcher escape = Pattern.compile("%([0-9A-Fa-f]{2})").matcher(rawPath);
    StringBuilder decoded = new StringBuilder();
    while (escape.find()) {
      char c = (char) Integer.parseInt(escape.group(1), 16);
      boolean unreserved = Character.isLetterOrDigit(c) && c < 0x80 || "-._~".indexOf(c) >= 0;
      escape.appendReplacement(
          decoded,
          java.util.regex.Matcher.quoteReplacement(
              unreserved ? String.valueOf(c) : escape.group()));
    }
    escape.appendTail(decoded);
    String path =
        java.net.URI.create(decoded.toString()).normalize().getRawPath().replaceAll("/{2,}", "/");
    return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  /**
   * The operation for {@code method} on the path that {@code rawPath} matches, if the file has it.
   */
  Optional<Operation> operation(String method, String rawPath) {
    return templateOf(rawPath)
        .flatMap(
            template -> {
              JsonNode node =
                  root.path("paths").path(template).get(method.toLowerCase(java.util.Locale.ROOT));
              return Optional.ofNullable(node).map(n -> new Operation(method, template, n));
            });
  }

  /** The response object (references resolved) documented for {@code status}, if any. */
  Optional<JsonNode> response(Operation operation, int status) {
    return Optional.ofNullable(operation.node().path("responses").get(Integer.toString(status)))
        .map(this::resolve);
  }

  /** Follows {@code $ref} (local references only) until the node is not a reference. */
  JsonNode resolve(JsonNode node) {
    int hops = 0;
    while (node != null && node.has("$ref")) {
      String reference = node.get("$ref").asText();
      if (!reference.startsWith("#/") || ++hops > 16) {
        throw new IllegalStateException("unsupported reference " + reference);
      }
      node = root.at(reference.substring(1));
      if (node.isMissingNode()) {
        throw new IllegalStateException("dangling reference " + reference);
      }
    }
    return node;
  }

  /** A named schema of {@code components/schemas}. */
  JsonNode schema(String name) {
    JsonNode schema = root.path("components").path("schemas").get(name);
    if (schema == null) {
      throw new IllegalStateException("no schema " + name);
    }
    return schema;
  }

  /**
   * The problems of {@code value} against {@code schema}, each naming where in the value it is;
   * empty when the value conforms.
   */
  List<String> validate(JsonNode schema, JsonNode value) {
    List<String> problems = new ArrayList<>();
    validate(schema, value, "$", problems);
    return problems;
  }

  private void validate(JsonNode schema, JsonNode value, String where, List<String> problems) {
    schema = resolve(schema);
    Iterator<String> keywords = schema.fieldNames();
    while (keywords.hasNext()) {
      String keyword = keywords.next();
      if (!KNOWN_KEYWORDS.contains(keyword)) {
        throw new IllegalStateException("the checker does not know the keyword " + keyword);
      }
    }
    for (JsonNode part : schema.path("allOf")) {
      validate(part, value, where, problems);
    }
    if (schema.has("oneOf")) {
      int matches = countMatches(schema.get("oneOf"), value);
      if (matches != 1) {
        problems.add(where + ": matches " + matches + " of the oneOf alternatives, not exactly 1");
      }
    }
    if (schema.has("anyOf") && countMatches(schema.get("anyOf"), value) == 0) {
      problems.add(where + ": matches none of the anyOf alternatives");
    }
    if (schema.has("type") && !hasType(value, schema.get("type").asText())) {
      problems.add(
          where + ": expected " + schema.get("type").asText() + ", got " + describe(value));
      return;
    }
    if (schema.has("enum") && !inEnum(schema.get("enum"), value)) {
      problems.add(where + ": " + value + " is not one of " + schema.get("enum"));
    }
    checkBounds(schema, value, where, problems);
    if (value.isObject()) {
      checkObject(schema, value, where, problems);
    }
    if (value.isArray() && schema.has("items")) {
      for (int i = 0; i < value.size(); i++) {
        validate(schema.get("items"), value.get(i), where + "[" + i + "]", problems);
      }
    }
  }

  private int countMatches(JsonNode alternatives, JsonNode value) {
    int matches = 0;
    for (JsonNode alternative : alternatives) {
      if (validate(alternative, value).isEmpty()) {
        matches++;
      }
    }
    return matches;
  }

  private void checkObject(JsonNode schema, JsonNode value, String where, List<String> problems) {
    for (JsonNode required : schema.path("required")) {
      if (!value.has(required.asText())) {
        problems.add(where + ": lacks the required property " + required.asText());
      }
    }
    JsonNode properties = schema.path("properties");
    JsonNode additional = schema.get("additionalProperties");
    value
        .fields()
        .forEachRemaining(
            field -> {
              String name = field.getKey();
              if (properties.has(name)) {
                validate(properties.get(name), field.getValue(), where + "." + name, problems);
              } else if (additional != null && additional.isObject()) {
                validate(additional, field.getValue(), where + "." + name, problems);
              }
            });
  }

  private static void checkBounds(
      JsonNode schema, JsonNode value, String where, List<String> problems) {
    if (value.isNumber()) {
      if (schema.has("minimum")
          && value.decimalValue().compareTo(schema.get("minimum").decimalValue()) < 0) {
        problems.add(where + ": " + value + " is below " + schema.get("minimum"));
      }
      if (schema.has("maximum")
          && value.decimalValue().compareTo(schema.get("maximum").decimalValue()) > 0) {
        problems.add(where + ": " + value + " is above " + schema.get("maximum"));
      }
    }
    if (value.isTextual()) {
      int length = value.textValue().codePointCount(0, value.textValue().length());
      if (schema.has("minLength") && length < schema.get("minLength").asInt()) {
        problems.add(where + ": shorter than " + schema.get("minLength"));
      }
      if (schema.has("maxLength") && length > schema.get("maxLength").asInt()) {
        problems.add(where + ": longer than " + schema.get("maxLength"));
      }
    }
    if (value.isArray()) {
      if (schema.has("minItems") && value.size() < schema.get("minItems").asInt()) {
        problems.add(where + ": fewer than " + schema.get("minItems") + " items");
      }
      if (schema.has("maxItems") && value.size() > schema.get("maxItems").asInt()) {
        problems.add(where + ": more than " + schema.get("maxItems") + " items");
      }
    }
  }

  private static boolean inEnum(JsonNode allowed, JsonNode value) {
    for (JsonNode candidate : allowed) {
      if (candidate.equals(value)) {
        return true;
      }
    }
    return false;
  }

  static boolean hasType(JsonNode value, String type) {
    return switch (type) {
      case "object" -> value.isObject();
      case "array" -> value.isArray();
      case "string" -> value.isTextual();
      case "boolean" -> value.isBoolean();
      case "integer" -> value.isIntegralNumber();
      case "number" -> value.isNumber();
      default -> throw new IllegalStateException("unknown schema type " + type);
    };
  }

  private static String describe(JsonNode value) {
    JsonNodeType type = value.getNodeType();
    String text = value.toString();
    return type + " " + (text.length() > 60 ? text.substring(0, 60) + "..." : text);
  }
}
