package io.meridian.server.http;

import io.meridian.crdt.CrdtRequestException;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * An API error on its way to the client as {@code {"error":{"code","message"}}}, with the batch
 * {@code index} of the update at fault and the {@code Retry-After} seconds of a 503 where they
 * apply. A {@link RegionService} fails its future with this for every expected refusal, and the
 * region refuses with it too, so one exception and one {@link ErrorCode} serve the whole path.
 */
public final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Retry-After of a 503 when the thrower names none. */
  public static final long RETRY_AFTER_SECONDS_DEFAULT = 1;

  private final ErrorCode code;
  private final Integer index;
  private final long retryAfterSeconds;

  private ApiException(ErrorCode code, String message, Integer index, long retryAfterSeconds) {
    super(Objects.requireNonNull(message, "message"), null, false, false);
    this.code = Objects.requireNonNull(code, "code");
    this.index = index;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public static ApiException of(ErrorCode code, String message) {
    return new ApiException(code, message, null, RETRY_AFTER_SECONDS_DEFAULT);
  }

  public static ApiException badRequest(String message) {
    return of(ErrorCode.BAD_REQUEST, message);
  }

  /**
   * A CRDT request the CRDT module refused: about update {@code index} of a batch, or about the
   * request as a whole when {@code index} is negative.
   */
  public static ApiException refused(CrdtRequestException refused, int index) {
    ErrorCode code = ErrorCode.of(refused.code());
    return index < 0 ? of(code, refused.getMessage()) : inBatch(code, refused.getMessage(), index);
  }

  /** An error about update {@code index} of a batch. */
  public static ApiException inBatch(ErrorCode code, String message, int index) {
    return new ApiException(code, message, index, RETRY_AFTER_SECONDS_DEFAULT);
  }

  /** A 503 ({@link ErrorCode#SESSION_UNAVAILABLE} or {@link ErrorCode#OVERLOADED}). */
  public static ApiException unavailable(ErrorCode code, String message, long retryAfterSeconds) {
    if (code.status() != 503) {
      throw new IllegalArgumentException(code + " is not a 503");
    }
    if (retryAfterSeconds < 0) {
      throw new IllegalArgumentException("negative Retry-After");
    }
    return new ApiException(code, message, null, retryAfterSeconds);
  }

  public ErrorCode code() {
    return code;
  }

  public OptionalInt index() {
    return index == null ? OptionalInt.empty() : OptionalInt.of(index);
  }

  /** Seconds for {@code Retry-After}, present for 503s only. */
  public OptionalLong retryAfterSeconds() {
    return code.status() == 503 ? OptionalLong.of(retryAfterSeconds) : OptionalLong.empty();
  }
}
