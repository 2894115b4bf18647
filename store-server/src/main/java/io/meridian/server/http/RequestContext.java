package io.meridian.server.http;

import io.meridian.server.session.Guarantee;
import io.meridian.server.session.SessionToken;
import java.util.Objects;
import java.util.Set;

/**
 * The session side of one request, parsed from its headers: the session's token (empty when none
 * was sent), whether one was sent, the guarantees asked for, and how long the region may wait to
 * meet them. Immutable; {@link #equals} is structural.
 *
 * @param session the session's token
 * @param tokenSent whether the request carried a token
 * @param guarantees the guarantees to meet before serving
 * @param waitMillis how long the region may wait for them before answering 503
 */
public record RequestContext(
    SessionToken session, boolean tokenSent, Set<Guarantee> guarantees, long waitMillis) {
  public RequestContext {
    Objects.requireNonNull(session, "session");
    guarantees = Set.copyOf(guarantees);
    if (waitMillis < 0) {
      throw new IllegalArgumentException("negative wait");
    }
  }
}
