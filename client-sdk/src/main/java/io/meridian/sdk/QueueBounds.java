package io.meridian.sdk;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** The bounds both queues keep, checked in one place. */
final class QueueBounds {
  private QueueBounds() {}

  /** The bytes an entry counts: its updates' JSON bodies and names, in UTF-8. */
  static long bytesOf(List<UpdateQueue.Queued> updates) {
    long bytes = 0;
    for (UpdateQueue.Queued update : updates) {
      bytes += update.body().toString().getBytes(StandardCharsets.UTF_8).length;
      bytes += update.bucket().getBytes(StandardCharsets.UTF_8).length;
      bytes += update.key().getBytes(StandardCharsets.UTF_8).length;
    }
    return bytes;
  }

  static void check(long entries, long bytes, long entryBytes, int entriesMax, long bytesMax) {
    if (entries + 1 > entriesMax) {
      throw new MeridianException.QueueFull(
          "the queue holds "
              + entries
              + " updates not yet acknowledged, its bound (queueEntriesMax); nothing was queued");
    }
    if (bytes + entryBytes > bytesMax) {
      throw new MeridianException.QueueFull(
          "the queue holds "
              + bytes
              + " bytes not yet acknowledged and this update needs "
              + entryBytes
              + " more, over its bound of "
              + bytesMax
              + " (queueBytesMax); nothing was queued");
    }
  }
}
