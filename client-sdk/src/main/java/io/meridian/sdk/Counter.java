package io.meridian.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A counter: {@code pn-counter} (up and down) or {@code g-counter} (up only). Increments are
 * operations, not values: two offline increments of 1 count 2, however they are retried (the
 * complaint of firebase-ios-sdk#18, where two offline increments landed as one).
 */
public final class Counter extends Handle {
  Counter(Meridian client, String bucket, String key, List<String> path, boolean growOnly) {
    super(client, bucket, key, path, growOnly ? "g-counter" : "pn-counter");
  }

  /**
   * Adds {@code by} (|by| at most 2^53; a g-counter takes no negative amount).
   *
   * @param by the amount
   * @return the update's receipt
   */
  public WriteReceipt increment(long by) {
    return client.await(incrementAsync(by));
  }

  /**
   * As {@link #increment}, without blocking.
   *
   * @param by the amount
   * @return completes with the receipt: at once with an offline directory (the update is durable
   *     locally), else once a region accepted it
   */
  public CompletableFuture<WriteReceipt> incrementAsync(long by) {
    return client.submit(List.of(incrementUpdate(by)));
  }

  /**
   * Subtracts {@code by}; only for a pn-counter.
   *
   * @param by the amount
   * @return the update's receipt
   */
  public WriteReceipt decrement(long by) {
    return increment(Math.negateExact(by));
  }

  /**
   * As {@link #decrement}, without blocking.
   *
   * @param by the amount
   * @return completes with the receipt: at once with an offline directory (the update is durable
   *     locally), else once a region accepted it
   */
  public CompletableFuture<WriteReceipt> decrementAsync(long by) {
    return incrementAsync(Math.negateExact(by));
  }

  /**
   * The update that adds {@code by}, for {@link Meridian#batch}.
   *
   * @param by the amount
   * @return the update
   */
  public Update incrementUpdate(long by) {
    return update(operation("increment").put("by", by), false);
  }

  /**
   * The counter's value; 0 where it was never updated.
   *
   * @return the value
   */
  public long value() {
    return decode(readJson());
  }

  /**
   * As {@link #value}, without blocking.
   *
   * @return completes with what {@link #value} returns
   */
  public CompletableFuture<Long> valueAsync() {
    return readJsonAsync().thenApply(Counter::decode);
  }

  /**
   * The counter's value in a snapshot read that included this handle.
   *
   * @param snapshot a snapshot read that included this handle
   * @return the value as of {@code snapshot}
   */
  public long valueIn(Snapshot snapshot) {
    return decode(valueIn(snapshot.object(this)));
  }

  private static long decode(JsonNode value) {
    return value == null ? 0 : value.asLong();
  }
}
