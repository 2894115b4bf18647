package io.meridian.sdk;

import java.util.Map;

/**
 * One causally consistent read of several keys ({@link Meridian#read}): ask each handle that took
 * part for its value in it, e.g. {@code counter.valueIn(snapshot)}. Immutable.
 */
public final class Snapshot {
  private final Map<String, ObjectView> objects;
  private final String region;

  Snapshot(Map<String, ObjectView> objects, String region) {
    // A key no update has reached maps to null, which Map.copyOf would refuse.
    this.objects = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(objects));
    this.region = region;
  }

  static String name(String bucket, String key) {
    return bucket.length() + ":" + bucket + "/" + key;
  }

  /**
   * Whether this snapshot holds the key of {@code handle}: a snapshot read holds the keys it read,
   * a watch's snapshot the one key that changed.
   *
   * @param handle a handle
   * @return whether {@code handle}'s key is part of this snapshot
   */
  public boolean contains(Handle handle) {
    return objects.containsKey(name(handle.bucket, handle.key));
  }

  ObjectView object(Handle handle) {
    String name = name(handle.bucket, handle.key);
    if (!objects.containsKey(name)) {
      throw new IllegalArgumentException(handle + " was not part of this snapshot read");
    }
    return objects.get(name);
  }

  /**
   * The region that served the read, or {@code "local"} when the offline replica did.
   *
   * @return the region's name, or {@code "local"}
   */
  public String region() {
    return region;
  }
}
