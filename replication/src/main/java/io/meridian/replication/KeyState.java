package io.meridian.replication;

import java.util.Arrays;
import java.util.Objects;

/**
 * The whole state of one key, as the application encodes it, for a state transfer. Opaque to
 * replication. Equality is structural.
 */
public final class KeyState {
  private final String bucket;
  private final String key;
  private final byte[] state;

  public KeyState(String bucket, String key, byte[] state) {
    this.bucket = KeyUpdate.requireName(bucket, "bucket");
    this.key = KeyUpdate.requireName(key, "key");
    this.state = Objects.requireNonNull(state, "state").clone();
  }

  public String bucket() {
    return bucket;
  }

  public String key() {
    return key;
  }

  /** A copy of the state bytes. */
  public byte[] state() {
    return state.clone();
  }

  byte[] stateUnsafe() {
    return state;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof KeyState keyState
        && bucket.equals(keyState.bucket)
        && key.equals(keyState.key)
        && Arrays.equals(state, keyState.state);
  }

  @Override
  public int hashCode() {
    return Objects.hash(bucket, key) * 31 + Arrays.hashCode(state);
  }

  @Override
  public String toString() {
    return bucket + "/" + key + "(" + state.length + " bytes)";
  }
}
