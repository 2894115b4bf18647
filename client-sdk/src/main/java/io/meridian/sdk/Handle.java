package io.meridian.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A typed reference to one key (or one field of an {@link ObservedRemoveMap}, at any depth). Cheap
 * to make and thread safe; it holds no value of its own. Reads return what the client's session may
 * see; updates go through the client's ordered queue and return a {@link WriteReceipt}.
 */
public abstract sealed class Handle
    permits Counter,
        Register,
        MultiValueRegister,
        Flag,
        GrowOnlySet,
        ObservedRemoveMap,
        ReplicatedList {
  final Meridian client;
  final String bucket;
  final String key;
  final List<String> path;
  final String typeName;

  Handle(Meridian client, String bucket, String key, List<String> path, String typeName) {
    this.client = client;
    this.bucket = bucket;
    this.key = key;
    this.path = List.copyOf(path);
    this.typeName = typeName;
  }

  /**
   * The bucket of the key.
   *
   * @return the bucket
   */
  public final String bucket() {
    return bucket;
  }

  /**
   * The key.
   *
   * @return the key
   */
  public final String key() {
    return key;
  }

  /**
   * The map fields from the key down to this handle's field; empty for a whole key.
   *
   * @return the field names, outermost first
   */
  public final List<String> fieldPath() {
    return path;
  }

  /**
   * The API type name of the key (or field), e.g. {@code "aw-set"}.
   *
   * @return the type's name
   */
  public final String typeName() {
    return typeName;
  }

  /** The type the key itself holds: this handle's, or {@code or-map} for a field. */
  final String keyTypeName() {
    return path.isEmpty() ? typeName : ObservedRemoveMap.TYPE;
  }

  final ObjectNode operation(String op) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put("type", typeName);
    body.put("op", op);
    return body;
  }

  /** The update of the key that applies {@code operation} at this handle's field. */
  final Update update(ObjectNode operation, boolean observes) {
    ObjectNode body = operation;
    for (int i = path.size() - 1; i >= 0; i--) {
      ObjectNode outer = JsonNodeFactory.instance.objectNode();
      outer.put("type", ObservedRemoveMap.TYPE);
      outer.put("op", "update");
      outer.putObject("entries").set(path.get(i), body);
      body = outer;
    }
    return new Update(bucket, key, body, observes);
  }

  final WriteReceipt write(ObjectNode operation, boolean observes) {
    return client.await(writeAsync(operation, observes));
  }

  final CompletableFuture<WriteReceipt> writeAsync(ObjectNode operation, boolean observes) {
    return client.submit(List.of(update(operation, observes)));
  }

  /** This handle's JSON value, or null when the key (or field) holds nothing yet. */
  final JsonNode readJson() {
    return valueIn(client.readObject(this));
  }

  final CompletableFuture<JsonNode> readJsonAsync() {
    return client.readObjectAsync(this).thenApply(this::valueIn);
  }

  /** This handle's JSON value within a read object, or null. */
  final JsonNode valueIn(ObjectView object) {
    if (object == null) {
      return null;
    }
    if (!object.type().equals(keyTypeName())) {
      throw new MeridianException.TypeMismatch(
          bucket
              + "/"
              + key
              + " holds a "
              + object.type()
              + ", the handle is for a "
              + keyTypeName(),
          null);
    }
    JsonNode value = object.value();
    for (String field : path) {
      value = value.get(field);
      if (value == null) {
        return null;
      }
    }
    return value;
  }

  /** Decodes a JSON array with {@code codec}, in the order the array has. */
  static <T> List<T> decodeAll(JsonNode array, Codec<T> codec) {
    List<T> values = new ArrayList<>();
    if (array != null) {
      array.forEach(item -> values.add(codec.decode(item)));
    }
    return values;
  }

  @Override
  public String toString() {
    return getClass().getSimpleName()
        + "("
        + bucket
        + "/"
        + key
        + (path.isEmpty() ? "" : " " + path)
        + ")";
  }
}
