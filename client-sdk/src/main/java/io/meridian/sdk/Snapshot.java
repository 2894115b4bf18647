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
