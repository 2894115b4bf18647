package io.meridian.replication;

import io.meridian.clocks.Dot;
import io.meridian.clocks.VersionVector;

/**
 * What the core accepted and has not handed out in a {@link Ready} yet, in the order it must be
 * done: entries to persist and apply, and state transfers to install after the entries before them.
 */
sealed interface PendingWork permits PendingWork.AcceptedEntry, PendingWork.Install {

  /**
   * An accepted entry on its way to disk.
   *
   * @param entry the entry
   * @param dot its name, made once
   * @param encoded the entry's encoded form, or null until it is handed out to be persisted: a
   *     local entry's is made when it is appended (to check its size), a received one's by {@link
   *     #withEncoded}
   * @param requestHandle the client request it answers, or null
   * @param basis the vector of the state its payload was prepared on: for a local entry the applied
   *     vector of its stamp, for a received one its deps
   */
  record AcceptedEntry(
      LogEntry entry, Dot dot, byte[] encoded, Long requestHandle, VersionVector basis)
      implements PendingWork {

    /** A received entry: prepared on its deps, not yet encoded, answering no client. */
    static AcceptedEntry received(LogEntry entry) {
      return new AcceptedEntry(entry, entry.dot(), null, null, entry.deps());
    }

    /** This entry with its encoded form, made now if it was not made before. */
    AcceptedEntry withEncoded() {
      return encoded != null
          ? this
          : new AcceptedEntry(entry, dot, FrameCodec.encodeEntry(entry), requestHandle, basis);
    }
  }

  /** A complete state transfer, installed after the entries accepted before it. */
  record Install(StateSnapshot snapshot) implements PendingWork {}
}
