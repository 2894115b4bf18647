package io.meridian.server.storage;

import java.util.Objects;

/**
 * The one error the storage layer raises for an expected failure: a full queue, a record over its
 * bound, a closed or failed log, corruption found on disk, or a data directory held by another
 * process. The {@link Reason} says which, so a caller maps it to a response (an overloaded log is a
 * 503, a too large record a 413) without parsing messages.
 */
public final class StorageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why the storage layer refused or failed. */
  public enum Reason {
    /** The bounded queue of pending appends is full: shed load and retry later. */
    OVERLOADED,
    /** A record is larger than the configured maximum. */
    RECORD_TOO_LARGE,
    /** The log or store was closed. */
    CLOSED,
    /** Bytes on disk fail their checks where a torn write cannot explain it. */
    CORRUPT,
    /** Records asked for were already deleted by trimming. */
    TRIMMED,
    /** An input/output operation failed; after a failed fsync the log accepts nothing more. */
    IO_FAILURE,
    /** The data directory is locked by another process or another open in this one. */
    LOCKED
  }

  private final Reason reason;

  public StorageException(Reason reason, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public StorageException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public Reason reason() {
    return reason;
  }
}
