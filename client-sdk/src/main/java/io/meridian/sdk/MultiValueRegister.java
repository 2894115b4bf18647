package io.meridian.sdk;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A multi-value register ({@code mv-register}): concurrent assignments are all kept, so a conflict
 * is visible to the application instead of silently lost; an assignment replaces the values this
 * client observed.
 *
 * @param <T> the value's type, encoded by the handle's {@link Codec}
 */
public final class MultiValueRegister<T> extends Handle {
  private final Codec<T> codec;

  MultiValueRegister(
      Meridian client, String bucket, String key, List<String> path, Codec<T> codec) {
    super(client, bucket, key, path, "mv-register");
    this.codec = codec;
  }

  /**
   * Assigns {@code value}, replacing the values observed.
   *
   * @param value the value
   * @return the update's receipt
   */
  public WriteReceipt assign(T value) {
    return client.await(assignAsync(value));
  }

  /**
   * As {@link #assign}, without blocking.
   *
   * @param value the value
   * @return completes with the receipt: at once with an offline directory (the update is durable
   *     locally), else once a region accepted it
   */
  public CompletableFuture<WriteReceipt> assignAsync(T value) {
    return client.submit(List.of(assignUpdate(value)));
  }

  /**
   * The update that assigns {@code value}, for {@link Meridian#batch}.
   *
   * @param value the value
   * @return the update
   */
  public Update assignUpdate(T value) {
    return update(operation("assign").set("value", codec.encode(value)), true);
  }

  /**
   * The concurrent values, in the API's canonical order; empty where never assigned.
   *
   * @return the values
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
   * The values in a snapshot read that included this handle.
   *
   * @param snapshot a snapshot read that included this handle
   * @return the value as of {@code snapshot}
   */
  public List<T> valuesIn(Snapshot snapshot) {
    return decodeAll(valueIn(snapshot.object(this)), codec);
  }
}
