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

  /** Assigns {@code value}, replacing the values observed. */
  public WriteReceipt assign(T value) {
    return client.await(assignAsync(value));
  }

  /** As {@link #assign}, without blocking. */
  public CompletableFuture<WriteReceipt> assignAsync(T value) {
    return client.submit(List.of(assignUpdate(value)));
  }

  /** The update that assigns {@code value}, for {@link Meridian#batch}. */
  public Update assignUpdate(T value) {
    return update(operation("assign").set("value", codec.encode(value)), true);
  }

  /** The concurrent values, in the API's canonical order; empty where never assigned. */
  public List<T> values() {
    return decodeAll(readJson(), codec);
  }

  /** As {@link #values}, without blocking. */
  public CompletableFuture<List<T>> valuesAsync() {
    return readJsonAsync().thenApply(json -> decodeAll(json, codec));
  }

  /** The values in a snapshot read that included this handle. */
  public List<T> valuesIn(Snapshot snapshot) {
    return decodeAll(valueIn(snapshot.object(this)), codec);
  }
}
