package io.meridian.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.server.session.SessionToken;
import io.vertx.core.buffer.Buffer;
import java.util.Objects;

/**
 * A successful answer of a {@link RegionService}: the JSON body (sent with status 200) and the
 * session token after the request, which goes back in {@code Meridian-Session}. The body is either
 * a JSON tree, written to bytes by the HTTP layer on its event loop, or bytes the service already
 * rendered (no tree: the single-object answers). Errors are not responses: the service fails its
 * future with an {@link ApiException}.
 *
 * @param body the JSON object to send, or null when {@code rendered} holds it
 * @param rendered the JSON object already written as UTF-8, or null when {@code body} holds it
 * @param minimal true when this is the small answer a {@code Prefer: return=minimal} asked for
 * @param session the session's token after this request
 */
public record RegionResponse(
    JsonNode body, Buffer rendered, boolean minimal, SessionToken session) {
  public RegionResponse {
    if ((body == null) == (rendered == null)) {
      throw new IllegalArgumentException("exactly one of body and rendered");
    }
    Objects.requireNonNull(session, "session");
  }

  /** An answer whose body is a JSON tree. */
  public RegionResponse(JsonNode body, SessionToken session) {
    this(Objects.requireNonNull(body, "body"), null, false, session);
  }

  /** An answer whose body is already UTF-8 JSON; {@code minimal} as for the record. */
  public static RegionResponse rendered(Buffer json, boolean minimal, SessionToken session) {
    return new RegionResponse(null, Objects.requireNonNull(json, "json"), minimal, session);
  }
}
