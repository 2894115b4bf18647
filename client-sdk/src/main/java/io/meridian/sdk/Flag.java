package io.meridian.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** An enable-wins flag ({@code ew-flag}): an enable concurrent with a disable wins. */
public final class Flag extends Handle {
  Flag(Meridian client, String bucket, String key, List<String> path) {
    super(client, bucket, key, path, "ew-flag");
  }

  /**
   * Enables the flag.
   *
   * @return the update's receipt
   */
  public WriteReceipt enable() {
    return client.await(enableAsync());
  }

  /**
   * As {@link #enable}, without blocking.
   *
   * @return completes with the receipt: at once with an offline directory (the update is durable
   *     locally), else once a region accepted it
   */
  public CompletableFuture<WriteReceipt> enableAsync() {
    return client.submit(List.of(enableUpdate()));
  }

  /**
   * Disables the flag as this client observed it (a concurrent enable still wins).
   *
   * @return the update's receipt
   */
  public WriteReceipt disable() {
    return client.await(disableAsync());
  }

  /**
   * As {@link #disable}, without blocking.
   *
   * @return completes with the receipt: at once with an offline directory (the update is durable
   *     locally), else once a region accepted it
   */
  public CompletableFuture<WriteReceipt> disableAsync() {
    return client.submit(List.of(disableUpdate()));
  }

  /**
   * The update that enables the flag, for {@link Meridian#batch}.
   *
   * @return the update
   */
  public Update enableUpdate() {
    return update(operation("enable"), true);
  }

  /**
   * The update that disables the flag, for {@link Meridian#batch}.
   *
   * @return the update
   */
  public Update disableUpdate() {
    return update(operation("disable"), true);
  }

  /**
   * Whether the flag is enabled; false where never updated.
   *
   * @return whether the flag is enabled
   */
  public boolean value() {
    return decode(readJson());
  }

  /**
   * As {@link #value}, without blocking.
   *
   * @return completes with what {@link #value} returns
   */
  public CompletableFuture<Boolean> valueAsync() {
    return readJsonAsync().thenApply(Flag::decode);
  }

  /**
   * The flag in a snapshot read that included this handle.
   *
   * @param snapshot a snapshot read that included this handle
   * @return the value as of {@code snapshot}
   */
  public boolean valueIn(Snapshot snapshot) {
    return decode(valueIn(snapshot.object(this)));
  }

  private static boolean decode(JsonNode value) {
    return value != null && value.asBoolean();
  }
}
