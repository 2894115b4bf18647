package io.meridian.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.server.session.SessionToken;
import java.util.List;
import java.util.function.Supplier;

/**
 * Where a {@link RegionService} sends the changes of a watch ({@code GET
 * /v1/buckets/{bucket}/watch}): one call per group of applied entries that changed watched keys, in
 * the order the region applied them. May be called from any thread; never blocks.
 */
@FunctionalInterface
public interface ChangeListener {
  /**
   * Offers one group of changes.
   *
   * @param objects the changed keys as {@code GET} shows them; rendered by the listener on its own
   *     context, so the caller's thread does no JSON work
   * @param after the token the client resumes from once it has these changes
   * @return false when the stream fell behind and is closing; the service then stops the watch
   */
  boolean offer(Supplier<List<JsonNode>> objects, SessionToken after);
}
