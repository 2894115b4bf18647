package io.meridian.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.server.session.SessionToken;
import java.util.Objects;

/**
 * A successful answer of a {@link RegionService}: the JSON body (sent with status 200, written to
 * bytes by the HTTP layer on its event loop) and the session token after the request, which goes
 * back in {@code Meridian-Session}. Errors are not responses: the service fails its future with an
 * {@link ApiException}.
 *
 * @param body the JSON object to send
 * @param session the session's token after this request
 */
public record RegionResponse(JsonNode body, SessionToken session) {
  public RegionResponse {
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(session, "session");
  }
}
