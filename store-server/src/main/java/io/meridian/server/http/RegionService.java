package io.meridian.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.server.session.SessionToken;
import io.vertx.core.Future;
import java.util.List;

/**
 * What the key, batch, read and status endpoints do, behind the HTTP layer. The HTTP layer has
 * already checked the content type, the body size and that the body is a JSON object, the bucket
 * and key names (decoded, 1 to 256 bytes of UTF-8) and the session headers; the service checks the
 * body's fields, waits for the session's guarantees (at most {@link RequestContext#waitMillis()}),
 * and applies or reads.
 *
 * <p>Every method returns a future that completes with a {@link RegionResponse} or fails with an
 * {@link ApiException} (a client error never changes state, never yields a 5xx). Any other failure
 * is reported as a 500. Methods are called on a Vert.x event loop and must not block it.
 */
public interface RegionService {
  /** {@code GET /v1/buckets/{bucket}/keys/{key}}. */
  Future<RegionResponse> readKey(RequestContext context, String bucket, String key);

  /** {@code POST /v1/buckets/{bucket}/keys/{key}} with the update in {@code body}. */
  Future<RegionResponse> updateKey(
      RequestContext context, String bucket, String key, ObjectNode body);

  /**
   * {@code POST /v1/buckets/{bucket}/keys/{key}}; with {@code minimal} (the request's {@code
   * Prefer: return=minimal}) the service may answer {@code {"bucket","key","type"}} instead of the
   * object, marking the response {@link RegionResponse#minimal()}. This default ignores the
   * preference, as RFC 7240 allows.
   */
  default Future<RegionResponse> updateKey(
      RequestContext context, String bucket, String key, ObjectNode body, boolean minimal) {
    return updateKey(context, bucket, key, body);
  }

  /** {@code POST /v1/batch}: all or nothing. */
  Future<RegionResponse> batch(RequestContext context, ObjectNode body);

  /** {@code POST /v1/read}: one causally consistent snapshot. */
  Future<RegionResponse> read(RequestContext context, ObjectNode body);

  /** {@code GET /v1/status}. */
  Future<JsonNode> status();

  /** True once storage is open and the replication listener has started. */
  boolean ready();

  /**
   * {@code GET /v1/buckets/{bucket}/watch}: once the region covers the session's guarantees (as for
   * a read) and {@code since}'s read vector, registers a watch of {@code keys} and completes with
   * the keys changed since {@code since} (null: every watched key that exists); from then on {@code
   * listener} gets every group of changes of them. A service without change streams answers {@code
   * not_found}.
   */
  default Future<WatchStart> watch(
      RequestContext context,
      String bucket,
      List<String> keys,
      SessionToken since,
      ChangeListener listener) {
    return Future.failedFuture(ApiException.of(ErrorCode.NOT_FOUND, "no such route"));
  }
}
