package io.meridian.server.region;

import com.google.protobuf.ByteString;
import io.meridian.replication.KeyUpdate;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The address of one object: a bucket and a key, each 1 to 256 bytes of UTF-8. Its checkpoint form
 * is {@code 0x01 | bucket length (2 bytes) | bucket | key}, so no bucket can make two names collide
 * and the byte {@code 0x00} stays free for the region's own records.
 *
 * @param bucket the bucket
 * @param key the key
 */
public record ObjectName(String bucket, String key) implements Comparable<ObjectName> {
  private static final byte STATE_PREFIX = 0x01;
  private static final byte OPERATION_IDS_PREFIX = 0x02;

  public ObjectName {
    if (!KeyUpdate.isValidName(bucket) || !KeyUpdate.isValidName(key)) {
      throw new IllegalArgumentException("bucket and key must be 1 to 256 bytes of UTF-8");
    }
  }

  /** True when both names are 1 to 256 bytes of UTF-8. */
  public static boolean isValid(String bucket, String key) {
    return KeyUpdate.isValidName(bucket) && KeyUpdate.isValidName(key);
  }

  ByteString toCheckpointKey() {
    return checkpointKey(STATE_PREFIX);
  }

  /** The checkpoint key of this object's operation ids. */
  ByteString toOperationIdsKey() {
    return checkpointKey(OPERATION_IDS_PREFIX);
  }

  /** True when {@code bytes} is the key of an object's operation ids. */
  static boolean isOperationIdsKey(ByteString bytes) {
    return !bytes.isEmpty() && bytes.byteAt(0) == OPERATION_IDS_PREFIX;
  }

  private ByteString checkpointKey(byte prefix) {
    byte[] bucketBytes = bucket.getBytes(StandardCharsets.UTF_8);
    byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream(3 + bucketBytes.length + keyBytes.length);
    out.write(prefix);
    out.write(bucketBytes.length >>> 8);
    out.write(bucketBytes.length & 0xff);
    out.writeBytes(bucketBytes);
    out.writeBytes(keyBytes);
    return ByteString.copyFrom(out.toByteArray());
  }

  /** The name of a checkpoint key (state or operation ids), or null when it is not an object's. */
  static ObjectName fromCheckpointKey(ByteString bytes) {
    if (bytes.size() < 3
        || (bytes.byteAt(0) != STATE_PREFIX && bytes.byteAt(0) != OPERATION_IDS_PREFIX)) {
      return null;
    }
    ByteBuffer buffer = bytes.asReadOnlyByteBuffer();
    buffer.get();
    int bucketLength = buffer.getShort() & 0xffff;
    if (buffer.remaining() < bucketLength) {
      return null;
    }
    byte[] bucketBytes = new byte[bucketLength];
    buffer.get(bucketBytes);
    byte[] keyBytes = new byte[buffer.remaining()];
    buffer.get(keyBytes);
    String bucket = new String(bucketBytes, StandardCharsets.UTF_8);
    String key = new String(keyBytes, StandardCharsets.UTF_8);
    return isValid(bucket, key) ? new ObjectName(bucket, key) : null;
  }

  @Override
  public int compareTo(ObjectName other) {
    int byBucket = bucket.compareTo(other.bucket);
    return byBucket != 0 ? byBucket : key.compareTo(other.key);
  }

  @Override
  public String toString() {
    return Objects.toString(bucket) + "/" + key;
  }
}
