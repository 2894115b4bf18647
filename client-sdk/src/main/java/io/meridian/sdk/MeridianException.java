package io.meridian.sdk;

import java.time.Duration;
import java.util.Optional;

/**
 * Every failure of a Meridian call, as one sealed family: the application can switch over the
 * subclasses and never sees a raw HTTP status. Transient failures ({@link Unavailable}, {@link
 * Overloaded}) are worth retrying; the others are rejections that a retry of the same call will not
 * cure.
 */
public abstract sealed class MeridianException extends RuntimeException
    permits MeridianException.BadRequest,
        MeridianException.TypeMismatch,
        MeridianException.ContextExpired,
        MeridianException.TooLarge,
        MeridianException.Unauthorized,
        MeridianException.Forbidden,
        MeridianException.Unavailable,
        MeridianException.Overloaded,
        MeridianException.QueueFull,
        MeridianException.LocalStoreFailure,
        MeridianException.Closed {
  private static final long serialVersionUID = 1L;

  /** The region that answered, or null. */
  private final String region;

  MeridianException(String message, String region, Throwable cause) {
    super(message, cause);
    this.region = region;
  }

  /**
   * The region that answered, when one did.
   *
   * @return the region's name, if one answered
   */
  public Optional<String> region() {
    return Optional.ofNullable(region);
  }

  /**
   * Whether the same call may succeed later without change (the region or the network).
   *
   * @return whether retrying may succeed
   */
  public abstract boolean isTransient();

  /** The request is malformed: a bad name, argument, index or context. Nothing was applied. */
  public static final class BadRequest extends MeridianException {
    private static final long serialVersionUID = 1L;

    BadRequest(String message, String region) {
      super(message, region, null);
    }

    @Override
    public boolean isTransient() {
      return false;
    }
  }

  /** The key (or a map field) holds another type than the update or the handle names. */
  public static final class TypeMismatch extends MeridianException {
    private static final long serialVersionUID = 1L;

    TypeMismatch(String message, String region) {
      super(message, region, null);
    }

    @Override
    public boolean isTransient() {
      return false;
    }
  }

  /**
   * An or-map field remove carried the {@code context} of a read older than the region's context
   * expiry (default 10 minutes) allows, and that read missed a later update of the field: nothing
   * was applied. Read the key again and send the remove with the new context.
   */
  public static final class ContextExpired extends MeridianException {
    private static final long serialVersionUID = 1L;

    ContextExpired(String message, String region) {
      super(message, region, null);
    }

    @Override
    public boolean isTransient() {
      return false;
    }
  }

  /** The request is over a region's size limit (body bytes or elements per update). */
  public static final class TooLarge extends MeridianException {
    private static final long serialVersionUID = 1L;

    TooLarge(String message, String region) {
      super(message, region, null);
    }

    @Override
    public boolean isTransient() {
      return false;
    }
  }

  /** No valid API token was presented. */
  public static final class Unauthorized extends MeridianException {
    private static final long serialVersionUID = 1L;

    Unauthorized(String message, String region) {
      super(message, region, null);
    }

    @Override
    public boolean isTransient() {
      return false;
    }
  }

  /** The API token lacks the scope the request needs. */
  public static final class Forbidden extends MeridianException {
    private static final long serialVersionUID = 1L;

    Forbidden(String message, String region) {
      super(message, region, null);
    }

    @Override
    public boolean isTransient() {
      return false;
    }
  }

  /**
   * No region could serve the call within its timeout: unreachable, backing off, or unable to meet
   * the session's guarantees in time. A queued update is not lost by this: it stays queued and is
   * sent, exactly once, when a region answers.
   */
  public static final class Unavailable extends MeridianException {
    private static final long serialVersionUID = 1L;

    Unavailable(String message, Throwable cause) {
      super(message, null, cause);
    }

    @Override
    public boolean isTransient() {
      return true;
    }
  }

  /** Every region tried shed load; {@link #retryAfter()} is the longest wait any of them asked. */
  public static final class Overloaded extends MeridianException {
    private static final long serialVersionUID = 1L;

    /** How long the region asked the client to wait. */
    private final Duration retryAfter;

    Overloaded(String message, String region, Duration retryAfter) {
      super(message, region, null);
      this.retryAfter = retryAfter;
    }

    /**
     * How long the region asked the client to wait.
     *
     * @return the wait
     */
    public Duration retryAfter() {
      return retryAfter;
    }

    @Override
    public boolean isTransient() {
      return true;
    }
  }

  /**
   * The client's queue of updates not yet acknowledged is at its bound (entries or bytes); the
   * update was not queued and nothing changed. It frees up as regions acknowledge.
   */
  public static final class QueueFull extends MeridianException {
    private static final long serialVersionUID = 1L;

    QueueFull(String message) {
      super(message, null, null);
    }

    @Override
    public boolean isTransient() {
      return true;
    }
  }

  /** The offline directory's store failed (disk full, unreadable, locked by another process). */
  public static final class LocalStoreFailure extends MeridianException {
    private static final long serialVersionUID = 1L;

    LocalStoreFailure(String message, Throwable cause) {
      super(message, null, cause);
    }

    @Override
    public boolean isTransient() {
      return false;
    }
  }

  /** The client was closed. */
  public static final class Closed extends MeridianException {
    private static final long serialVersionUID = 1L;

    Closed(String message) {
      super(message, null, null);
    }

    @Override
    public boolean isTransient() {
      return false;
    }
  }
}
