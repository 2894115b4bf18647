package io.meridian.replication;

import io.meridian.clocks.VersionVector;
import java.util.HashMap;

/** What a region knows of one peer, as its frames said, and what it sent it. */
final class PeerState {
  final String name;

  /** What the peer applied, as its frames said. */
  VersionVector known = VersionVector.empty();

  /** What the peer acknowledged, as its frames said: what stability counts it for. */
  VersionVector acknowledged = VersionVector.empty();

  /** What was sent to the peer beyond what it applied, since the last resend. */
  VersionVector sent = VersionVector.empty();

  /** What the peer no longer holds in its log, as its frames said. */
  VersionVector trimmed = VersionVector.empty();

  boolean heardFrom;
  long lastHeardTick = Long.MIN_VALUE / 2;

  /** Per origin, when the peer last advanced on it through another region, for relaying. */
  final HashMap<String, Long> progressTick = new HashMap<>();

  long inFlightSinceTick;
  long lastEntriesTick = Long.MIN_VALUE / 2;
  long lastFrameTick = Long.MIN_VALUE / 2;

  /** A digest request to answer in the next {@code Ready}. */
  Frame.DigestRequest digestToServe;

  PeerState(String name) {
    this.name = name;
  }
}
