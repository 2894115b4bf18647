package io.meridian.replication;

/** A frame that failed decoding or validation, with the verdict to count it under. */
final class RejectedFrameException extends Exception {
  private static final long serialVersionUID = 1L;

  private final FrameVerdict verdict;

  RejectedFrameException(FrameVerdict verdict, String message) {
    super(message, null, false, false);
    this.verdict = verdict;
  }

  FrameVerdict verdict() {
    return verdict;
  }
}
