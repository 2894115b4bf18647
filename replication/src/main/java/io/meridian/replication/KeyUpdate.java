package io.meridian.replication;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * The update of one key inside an entry. The effect is opaque to replication: a delta or an
 * operation of the key's CRDT type, encoded by the application. Equality is structural (the effect
 * is compared byte by byte).
 */
public final class KeyUpdate {
  /** Longest bucket or key, in UTF-8 bytes, as the external contract says. */
  public static final int NAME_BYTES_MAX = 256;

  private final String bucket;
  private final String key;
  private final byte[] effect;

  /**
   * @throws IllegalArgumentException when the bucket or key is not 1 to 256 UTF-8 bytes
   */
  public KeyUpdate(String bucket, String key, byte[] effect) {
    this.bucket = requireName(bucket, "bucket");
    this.key = requireName(key, "key");
    this.effect = Objects.requireNonNull(effect, "effect").clone();
  }

  /** Takes {@code effect} as it is, without the copy; {@code owned} only tells it apart. */
  private KeyUpdate(String bucket, String key, byte[] effect, boolean owned) {
    this.bucket = requireName(bucket, "bucket");
    this.key = requireName(key, "key");
    this.effect = Objects.requireNonNull(effect, "effect");
  }

  /** An update that keeps {@code effect} itself: for decoders, whose array no one else holds. */
  static KeyUpdate owning(String bucket, String key, byte[] effect) {
    return new KeyUpdate(bucket, key, effect, true);
  }

  /** True when {@code name} is a valid bucket or key: 1 to 256 bytes of UTF-8. */
  public static boolean isValidName(String name) {
    if (name == null || name.isEmpty()) {
      return false;
    }
    // A char takes 1 to 3 bytes of UTF-8 (a surrogate pair 4 for 2 chars), so only names of 86 to
    // 256 chars need their encoded length counted.
    if (name.length() > NAME_BYTES_MAX) {
      return false;
    }
    if (name.length() * 3 <= NAME_BYTES_MAX) {
      return true;
    }
    return name.getBytes(StandardCharsets.UTF_8).length <= NAME_BYTES_MAX;
  }

  static String requireName(String name, String what) {
    if (!isValidName(name)) {
      throw new IllegalArgumentException(what + " must be 1 to 256 bytes of UTF-8");
    }
    return name;
  }

  public String bucket() {
    return bucket;
  }

  public String key() {
    return key;
  }

  /** A copy of the effect bytes. */
  public byte[] effect() {
    return effect.clone();
  }

  /** The length of the effect, without copying it. */
  public int effectLength() {
    return effect.length;
  }

  byte[] effectUnsafe() {
    return effect;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof KeyUpdate update
        && bucket.equals(update.bucket)
        && key.equals(update.key)
        && Arrays.equals(effect, update.effect);
  }

  @Override
  public int hashCode() {
    return Objects.hash(bucket, key) * 31 + Arrays.hashCode(effect);
  }

  @Override
  public String toString() {
    return bucket + "/" + key + "(" + effect.length + " bytes)";
  }
}
