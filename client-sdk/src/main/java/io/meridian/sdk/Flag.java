package io.meridian.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** An enable-wins flag ({@code ew-flag}): an enable concurrent with a disable wins. */
public final class Flag extends Handle {
  Flag(Meridian client, String bucket, String key, List<String> path) {
    super(client, bucket, key, path, "ew-flag");
  }

  /** Enables the flag. */
  public WriteReceipt enable() {
    return client.await(enableAsync());
  }

  /** As {@link #enable}, without blocking. */
  public CompletableFuture<WriteReceipt> enableAsync() {
    return client.submit(List.of(enableUpdate()));
  }

  /** Disables the flag as this client observed it (a concurrent enable still wins). */
  public WriteReceipt disable() {
    return client.await(disableAsync());
  }

  /** As {@link #disable}, without blocking. */
  public CompletableFuture<WriteReceipt> disableAsync() {
    return client.submit(List.of(disableUpdate()));
  }

  /** The update that enables the flag, for {@link Meridian#batch}. */
  public Update enableUpdate() {
    return update(operation("enable"), true);
  }

  /** The update that disables the flag, for {@link Meridian#batch}. */
  public Update disableUpdate() {
    return update(operation("disable"), true);
  }

  /** Whether the flag is enabled; false where never updated. */
  public boolean value() {
    return decode(readJson());
  }

  /** As {@link #value}, without blocking. */
  public CompletableFuture<Boolean> valueAsync() {
    return readJsonAsync().thenApply(Flag::decode);
  }

  /** The flag in a snapshot read that included this handle. */
  public boolean valueIn(Snapshot snapshot) {
    return decode(valueIn(snapshot.object(this)));
  }

  private static boolean decode(JsonNode value) {
    return value != null && value.asBoolean();
  }
}
