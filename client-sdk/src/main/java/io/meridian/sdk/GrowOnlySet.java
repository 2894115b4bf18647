package io.meridian.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A set that only grows ({@code g-set}); {@link ElementSet} adds removal. Elements must encode to
 * JSON strings, numbers or booleans; numbers are compared by value.
 *
 * @param <T> the element type, encoded by the handle's {@link Codec}
 */
public sealed class GrowOnlySet<T> extends Handle permits ElementSet {
  final Codec<T> codec;

  GrowOnlySet(
      Meridian client,
      String bucket,
      String key,
      List<String> path,
      String typeName,
      Codec<T> codec) {
    super(client, bucket, key, path, typeName);
    this.codec = codec;
  }

  /**
   * Adds {@code elements}.
   *
   * @param elements the elements
   * @return the update's receipt
   */
  @SafeVarargs
  public final WriteReceipt add(T... elements) {
    return client.await(addAsync(Arrays.asList(elements)));
  }

  /**
   * Adds {@code elements}, without blocking.
   *
   * @param elements the elements
   * @return completes with the receipt: at once with an offline directory (the update is durable
   *     locally), else once a region accepted it
   */
  public final CompletableFuture<WriteReceipt> addAsync(Collection<T> elements) {
    return client.submit(List.of(addUpdate(elements)));
  }

  /**
   * The update that adds {@code elements}, for {@link Meridian#batch}.
   *
   * @param elements the elements
   * @return the update
   */
  public final Update addUpdate(Collection<T> elements) {
    return update(withElements(operation("add"), elements), false);
  }

  final ObjectNode withElements(ObjectNode operation, Collection<T> elements) {
    ArrayNode array = operation.putArray("elements");
    elements.forEach(element -> array.add(codec.encode(element)));
    return operation;
  }

  /**
   * The elements, in the API's canonical order; empty where never updated.
   *
   * @return the elements
   */
  public final Set<T> elements() {
    return decode(readJson());
  }

  /**
   * As {@link #elements}, without blocking.
   *
   * @return completes with what {@link #elements} returns
   */
  public final CompletableFuture<Set<T>> elementsAsync() {
    return readJsonAsync().thenApply(this::decode);
  }

  /**
   * The elements in a snapshot read that included this handle.
   *
   * @param snapshot a snapshot read that included this handle
   * @return the value as of {@code snapshot}
   */
  public final Set<T> elementsIn(Snapshot snapshot) {
    return decode(valueIn(snapshot.object(this)));
  }

  private Set<T> decode(JsonNode value) {
    return new LinkedHashSet<>(decodeAll(value, codec));
  }
}
