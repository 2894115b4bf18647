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

  /** Adds {@code by} (|by| at most 2^53; a g-counter takes no negative amount). */
  public WriteReceipt increment(long by) {
    return client.await(incrementAsync(by));
  }

  /** As {@link #increment}, without blocking. */
  public CompletableFuture<WriteReceipt> incrementAsync(long by) {
    return client.submit(List.of(incrementUpdate(by)));
  }

  /** Subtracts {@code by}; only for a pn-counter. */
  public WriteReceipt decrement(long by) {
    return increment(Math.negateExact(by));
  }

  /** As {@link #decrement}, without blocking. */
  public CompletableFuture<WriteReceipt> decrementAsync(long by) {
    return incrementAsync(Math.negateExact(by));
  }

  /** The update that adds {@code by}, for {@link Meridian#batch}. */
  public Update incrementUpdate(long by) {
    return update(operation("increment").put("by", by), false);
  }

  /** The counter's value; 0 where it was never updated. */
  public long value() {
    return decode(readJson());
  }

  /** As {@link #value}, without blocking. */
  public CompletableFuture<Long> valueAsync() {
    return readJsonAsync().thenApply(Counter::decode);
  }

  /** The counter's value in a snapshot read that included this handle. */
  public long valueIn(Snapshot snapshot) {
    return decode(valueIn(snapshot.object(this)));
  }

  private static long decode(JsonNode value) {
    return value == null ? 0 : value.asLong();
  }
}
