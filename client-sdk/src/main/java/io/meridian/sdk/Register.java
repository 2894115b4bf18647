package io.meridian.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A last-writer-wins register ({@code lww-register}): the latest assignment wins, and one that
 * causally follows another always wins over it, whatever the clocks say.
 *
 * @param <T> the value's type, encoded by the handle's {@link Codec}
 */
public final class Register<T> extends Handle {
  private final Codec<T> codec;

  Register(Meridian client, String bucket, String key, List<String> path, Codec<T> codec) {
    super(client, bucket, key, path, "lww-register");
    this.codec = codec;
  }

  /**
   * Assigns {@code value}.
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
    return update(operation("assign").set("value", codec.encode(value)), false);
  }

  /**
   * The value; empty where it was never assigned.
   *
   * @return the value, or empty
   */
  public Optional<T> value() {
    return decode(readJson());
  }

  /**
   * As {@link #value}, without blocking.
   *
   * @return completes with what {@link #value} returns
   */
  public CompletableFuture<Optional<T>> valueAsync() {
    return readJsonAsync().thenApply(this::decode);
  }

  /**
   * The value in a snapshot read that included this handle.
   *
   * @param snapshot a snapshot read that included this handle
   * @return the value as of {@code snapshot}
   */
  public Optional<T> valueIn(Snapshot snapshot) {
    return decode(valueIn(snapshot.object(this)));
  }

  private Optional<T> decode(JsonNode value) {
    return value == null ? Optional.empty() : Optional.of(codec.decode(value));
  }
}
