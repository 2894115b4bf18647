package io.meridian.replication;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * How keys fall into the ranges that anti-entropy compares. Both sides of a state transfer must
 * agree, so the mapping is fixed here: CRC-32C of the UTF-8 bucket, a zero byte and the UTF-8 key,
 * modulo the range count. Hashing rather than key order spreads hot prefixes over ranges.
 */
public final class KeyRanges {
  private KeyRanges() {}

  /** The range of {@code (bucket, key)} among {@code rangeCount} ranges, from 0. */
  public static int rangeOf(String bucket, String key, int rangeCount) {
    if (rangeCount < 1) {
      throw new IllegalArgumentException("rangeCount must be at least 1");
    }
    CRC32C crc = new CRC32C();
    crc.update(bucket.getBytes(StandardCharsets.UTF_8));
    crc.update(0);
    crc.update(key.getBytes(StandardCharsets.UTF_8));
    return (int) (crc.getValue() % rangeCount);
  }
}
