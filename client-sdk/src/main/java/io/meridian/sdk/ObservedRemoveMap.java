package io.meridian.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * An observed-remove map ({@code or-map}): fields of any type, nested to any depth. A field is a
 * handle of its own, typed: {@code map.counter("visits").increment(1)} updates the field {@code
 * visits} of this map as a pn-counter. Removing a field removes what this client observed; a
 * concurrent update of the field wins over the remove.
 */
public final class ObservedRemoveMap extends Handle {
  static final String TYPE = "or-map";

  ObservedRemoveMap(Meridian client, String bucket, String key, List<String> path) {
    super(client, bucket, key, path, TYPE);
  }

  private List<String> child(String field) {
    if (field == null || field.isEmpty()) {
      throw new IllegalArgumentException("a field name is a non-empty string");
    }
    List<String> child = new ArrayList<>(path);
    child.add(field);
    return child;
  }

  /**
   * The field as a pn-counter.
   *
   * @param field the field's name
   * @return the field's handle
   */
  public Counter counter(String field) {
    return new Counter(client, bucket, key, child(field), false);
  }

  /**
   * The field as a g-counter.
   *
   * @param field the field's name
   * @return the field's handle
   */
  public Counter growOnlyCounter(String field) {
    return new Counter(client, bucket, key, child(field), true);
  }

  /**
   * The field as an lww-register.
   *
   * @param <T> the type of the values
   * @param field the field's name
   * @param codec how the values are encoded as JSON
   * @return the field's handle
   */
  public <T> Register<T> register(String field, Codec<T> codec) {
    return new Register<>(client, bucket, key, child(field), codec);
  }

  /**
   * The field as an mv-register.
   *
   * @param <T> the type of the values
   * @param field the field's name
   * @param codec how the values are encoded as JSON
   * @return the field's handle
   */
  public <T> MultiValueRegister<T> multiValueRegister(String field, Codec<T> codec) {
    return new MultiValueRegister<>(client, bucket, key, child(field), codec);
  }

  /**
   * The field as an ew-flag.
   *
   * @param field the field's name
   * @return the field's handle
   */
  public Flag flag(String field) {
    return new Flag(client, bucket, key, child(field));
  }

  /**
   * The field as a g-set.
   *
   * @param <T> the type of the values
   * @param field the field's name
   * @param codec how the values are encoded as JSON
   * @return the field's handle
   */
  public <T> GrowOnlySet<T> growOnlySet(String field, Codec<T> codec) {
    return new GrowOnlySet<>(client, bucket, key, child(field), "g-set", codec);
  }

  /**
   * The field as an aw-set.
   *
   * @param <T> the type of the values
   * @param field the field's name
   * @param codec how the values are encoded as JSON
   * @return the field's handle
   */
  public <T> ElementSet<T> addWinsSet(String field, Codec<T> codec) {
    return new ElementSet<>(client, bucket, key, child(field), false, codec);
  }

  /**
   * The field as an rw-set.
   *
   * @param <T> the type of the values
   * @param field the field's name
   * @param codec how the values are encoded as JSON
   * @return the field's handle
   */
  public <T> ElementSet<T> removeWinsSet(String field, Codec<T> codec) {
    return new ElementSet<>(client, bucket, key, child(field), true, codec);
  }

  /**
   * The field as a nested or-map.
   *
   * @param field the field's name
   * @return the field's handle
   */
  public ObservedRemoveMap map(String field) {
    return new ObservedRemoveMap(client, bucket, key, child(field));
  }

  /**
   * The field as a list.
   *
   * @param <T> the type of the values
   * @param field the field's name
   * @param codec how the values are encoded as JSON
   * @return the field's handle
   */
  public <T> ReplicatedList<T> list(String field, Codec<T> codec) {
    return new ReplicatedList<>(client, bucket, key, child(field), codec);
  }

  /**
   * Removes {@code fields} as observed.
   *
   * @param fields the names of the fields
   * @return the update's receipt
   */
  public WriteReceipt removeFields(String... fields) {
    return client.await(removeFieldsAsync(Arrays.asList(fields)));
  }

  /**
   * As {@link #removeFields}, without blocking.
   *
   * @param fields the names of the fields
   * @return completes with the receipt: at once with an offline directory (the update is durable
   *     locally), else once a region accepted it
   */
  public CompletableFuture<WriteReceipt> removeFieldsAsync(Collection<String> fields) {
    return client.submit(List.of(removeFieldsUpdate(fields)));
  }

  /**
   * The update that removes {@code fields} as observed, for {@link Meridian#batch}.
   *
   * @param fields the names of the fields
   * @return the update
   */
  public Update removeFieldsUpdate(Collection<String> fields) {
    ObjectNode operation = operation("remove");
    ArrayNode array = operation.putArray("fields");
    fields.forEach(array::add);
    return update(operation, true);
  }

  /**
   * The map as JSON, field to value; an empty object where never updated.
   *
   * @return the map as JSON
   */
  public ObjectNode value() {
    return decode(readJson());
  }

  /**
   * As {@link #value}, without blocking.
   *
   * @return completes with what {@link #value} returns
   */
  public CompletableFuture<ObjectNode> valueAsync() {
    return readJsonAsync().thenApply(ObservedRemoveMap::decode);
  }

  /**
   * The map in a snapshot read that included this handle.
   *
   * @param snapshot a snapshot read that included this handle
   * @return the value as of {@code snapshot}
   */
  public ObjectNode valueIn(Snapshot snapshot) {
    return decode(valueIn(snapshot.object(this)));
  }

  /**
   * The field names present.
   *
   * @return the field names
   */
  public Set<String> fields() {
    Set<String> names = new LinkedHashSet<>();
    value().fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static ObjectNode decode(JsonNode value) {
    return value instanceof ObjectNode object
        ? object
        : com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
  }
}
