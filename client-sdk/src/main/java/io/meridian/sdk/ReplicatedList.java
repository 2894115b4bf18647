package io.meridian.sdk;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A sequence ({@code list}, an RGA): concurrent inserts at one place are all kept, in one order
 * everywhere. Indexes refer to the list as the region that applies the update shows it; an update
 * queued offline is applied to the offline replica at once with the index as that replica shows it,
 * and sent with the same index.
 *
 * @param <T> the item type, encoded by the handle's {@link Codec}
 */
public final class ReplicatedList<T> extends Handle {
  private final Codec<T> codec;

  ReplicatedList(Meridian client, String bucket, String key, List<String> path, Codec<T> codec) {
    super(client, bucket, key, path, "list");
    this.codec = codec;
  }

  /**
   * Inserts {@code values} before position {@code index} (the size appends).
   *
   * @param index the position, from 0
   * @param values the values, in order
   * @return the update's receipt
   */
  @SafeVarargs
  public final WriteReceipt insert(int index, T... values) {
    return client.await(insertAsync(index, Arrays.asList(values)));
  }

  /**
   * As {@link #insert}, without blocking.
   *
   * @param index the position, from 0
   * @param values the values, in order
   * @return completes with the receipt: at once with an offline directory (the update is durable
   *     locally), else once a region accepted it
   */
  public CompletableFuture<WriteReceipt> insertAsync(int index, Collection<T> values) {
    return client.submit(List.of(insertUpdate(index, values)));
  }

  /**
   * The update that inserts {@code values} at {@code index}, for {@link Meridian#batch}.
   *
   * @param index the position, from 0
   * @param values the values, in order
   * @return the update
   */
  public Update insertUpdate(int index, Collection<T> values) {
    ObjectNode operation = operation("insert").put("index", index);
    ArrayNode array = operation.putArray("values");
    values.forEach(value -> array.add(codec.encode(value)));
    return update(operation, false);
  }

  /**
   * Deletes {@code count} items from position {@code index}.
   *
   * @param index the position, from 0
   * @param count how many items to delete
   * @return the update's receipt
   */
  public WriteReceipt delete(int index, int count) {
    return client.await(deleteAsync(index, count));
  }

  /**
   * As {@link #delete}, without blocking.
   *
   * @param index the position, from 0
   * @param count how many items to delete
   * @return completes with the receipt: at once with an offline directory (the update is durable
   *     locally), else once a region accepted it
   */
  public CompletableFuture<WriteReceipt> deleteAsync(int index, int count) {
    return client.submit(List.of(deleteUpdate(index, count)));
  }

  /**
   * The update that deletes {@code count} items from {@code index}, for {@link Meridian#batch}.
   *
   * @param index the position, from 0
   * @param count how many items to delete
   * @return the update
   */
  public Update deleteUpdate(int index, int count) {
    return update(operation("delete").put("index", index).put("count", count), false);
  }

  /**
   * The items in order; empty where never updated.
   *
   * @return the items, in list order
   */
  public List<T> values() {
    return decodeAll(readJson(), codec);
  }

  /**
   * As {@link #values}, without blocking.
   *
   * @return completes with what {@link #values} returns
   */
  public CompletableFuture<List<T>> valuesAsync() {
    return readJsonAsync().thenApply(json -> decodeAll(json, codec));
  }

  /**
   * The items in a snapshot read that included this handle.
   *
   * @param snapshot a snapshot read that included this handle
   * @return the value as of {@code snapshot}
   */
  public List<T> valuesIn(Snapshot snapshot) {
    return decodeAll(valueIn(snapshot.object(this)), codec);
  }
}
