package io.meridian.server.session;

import io.meridian.clocks.VersionVector;

/**
 * A session guarantee of Terry et al. (1994). Each one names which vector of the session a region
 * must have applied before it serves a request of a given kind.
 */
public enum Guarantee {
  /** Read your writes: a read sees the session's writes. */
  RYW,
  /** Monotonic reads: a read sees at least what the session read before. */
  MR,
  /** Monotonic writes: a write is ordered after the session's earlier writes. */
  MW,
  /** Writes follow reads: a write is ordered after what the session read. */
  WFR;

  /** What a request of this kind needs, under this guarantee, from {@code session}. */
  public VersionVector requiredBy(SessionToken session, RequestKind kind) {
    return switch (this) {
      case RYW -> kind == RequestKind.READ ? session.writeVector() : VersionVector.empty();
      case MR -> kind == RequestKind.READ ? session.readVector() : VersionVector.empty();
      case MW -> kind == RequestKind.WRITE ? session.writeVector() : VersionVector.empty();
      case WFR -> kind == RequestKind.WRITE ? session.readVector() : VersionVector.empty();
    };
  }

  /** Whether a request reads or writes. */
  public enum RequestKind {
    READ,
    WRITE
  }
}
