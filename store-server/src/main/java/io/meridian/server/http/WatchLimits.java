package io.meridian.server.http;

/**
 * Bounds of the change streams of one region ({@code GET /v1/buckets/{bucket}/watch}).
 *
 * @param streamsMax streams open at once; past it a new one is answered {@code overloaded} (503)
 * @param keysPerStreamMax keys one stream watches at most; more is a {@code bad_request}
 * @param groupsQueuedMax groups of changes handed to a stream and not yet written; past it the
 *     reader is too slow: the stream gets an {@code overflow} event and is closed
 * @param writeQueueBytesMax bytes written to a stream's connection and not yet sent; past it the
 *     same
 * @param heartbeatMillis how often an open stream gets a comment line ({@code : keep-alive}), so a
 *     client notices a dead connection and proxies keep a quiet one
 */
public record WatchLimits(
    int streamsMax,
    int keysPerStreamMax,
    int groupsQueuedMax,
    int writeQueueBytesMax,
    long heartbeatMillis) {
  public WatchLimits {
    if (streamsMax < 1
        || keysPerStreamMax < 1
        || groupsQueuedMax < 1
        || writeQueueBytesMax < 1
        || heartbeatMillis < 1) {
      throw new IllegalArgumentException("watch limits must be positive");
    }
  }

  /**
   * 1,000 streams of at most 1,000 keys; 1,000 groups or 1 MiB queued per stream; a heartbeat every
   * 10 s.
   */
  public static WatchLimits defaults() {
    return new WatchLimits(1_000, 1_000, 1_000, 1 << 20, 10_000);
  }
}
