package io.meridian.replication;

import io.meridian.clocks.VersionVector;
import java.util.List;

/**
 * A state transfer to install: the states of the keys that differed, as of {@code vector} at the
 * region that sent them. The application joins each key state into its own, atomically for readers
 * (stage, then swap under one step), and durably records a checkpoint whose vector is its old
 * applied vector joined with {@code vector}. Keys not listed were equal when compared.
 *
 * @param source the region the state came from
 * @param vector the entries the states reflect: a causally closed set
 * @param hlcMax the largest HLC timestamp among the entries the states reflect
 * @param keyStates the states of the keys in the ranges that differed
 */
public record StateSnapshot(
    String source, VersionVector vector, long hlcMax, List<KeyState> keyStates) {
  public StateSnapshot {
    keyStates = List.copyOf(keyStates);
  }
}
