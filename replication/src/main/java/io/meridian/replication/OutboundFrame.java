package io.meridian.replication;

import java.util.Arrays;

/**
 * A frame to send: encoded bytes for one peer. Equality is structural.
 *
 * @param peer the region to send to
 * @param bytes the encoded frame, at most the configured frame size
 */
public record OutboundFrame(String peer, byte[] bytes) {
  @Override
  public boolean equals(Object other) {
    return other instanceof OutboundFrame frame
        && peer.equals(frame.peer)
        && Arrays.equals(bytes, frame.bytes);
  }

  @Override
  public int hashCode() {
    return peer.hashCode() * 31 + Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return "to " + peer + " (" + bytes.length + " bytes)";
  }
}
