package io.meridian.sdk;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A set with removal: {@code aw-set} (an add concurrent with a remove wins) or {@code rw-set} (the
 * remove wins). A remove removes what this client observed: the handle sends the context of the
 * newest object the client received for the key, so an element another client added meanwhile,
 * unseen, survives an add-wins remove.
 *
 * @param <T> the element type, encoded by the handle's {@link Codec}
 */
public final class ElementSet<T> extends GrowOnlySet<T> {
  ElementSet(
      Meridian client,
      String bucket,
      String key,
      List<String> path,
      boolean removeWins,
      Codec<T> codec) {
    super(client, bucket, key, path, removeWins ? "rw-set" : "aw-set", codec);
  }

  /**
   * Removes {@code elements} as observed.
   *
   * @param elements the elements to remove (those this client observed)
   * @return the update's receipt
   */
  @SafeVarargs
  public final WriteReceipt remove(T... elements) {
    return client.await(removeAsync(Arrays.asList(elements)));
  }

  /**
   * Removes {@code elements} as observed, without blocking.
   *
   * @param elements the elements
   * @return completes with the receipt: at once with an offline directory (the update is durable
   *     locally), else once a region accepted it
   */
  public CompletableFuture<WriteReceipt> removeAsync(Collection<T> elements) {
    return client.submit(List.of(removeUpdate(elements)));
  }

  /**
   * The update that removes {@code elements} as observed, for {@link Meridian#batch}.
   *
   * @param elements the elements
   * @return the update
   */
  public Update removeUpdate(Collection<T> elements) {
    return update(withElements(operation("remove"), elements), true);
  }
}
