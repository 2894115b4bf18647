package io.meridian.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.server.session.SessionToken;
import java.util.List;
import java.util.Objects;

/**
 * A watch the service registered: what the stream sends first, and how to stop it.
 *
 * @param objects the watched keys that changed since the client's resume token (every watched key
 *     that exists, without one), as {@code GET} shows them
 * @param token the token after them
 * @param stop stops the watch; may be called from any thread, more than once
 */
public record WatchStart(List<JsonNode> objects, SessionToken token, Runnable stop) {
  public WatchStart {
    objects = List.copyOf(objects);
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(stop, "stop");
  }
}
