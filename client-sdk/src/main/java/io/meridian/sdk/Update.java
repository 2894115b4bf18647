package io.meridian.sdk;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One update of one key, made by a handle (for example {@link Counter#incrementUpdate}) and applied
 * with others, all or nothing, by {@link Meridian#batch}. Immutable.
 */
public final class Update {
  final String bucket;
  final String key;
  final ObjectNode body;
  final boolean observes;

  /**
   * @param body the API's update JSON ({@code type}, {@code op} and arguments), without id or
   *     context
   * @param observes whether the update removes or supersedes what was observed, so it carries the
   *     key's newest context when it is sent
   */
  Update(String bucket, String key, ObjectNode body, boolean observes) {
    this.bucket = bucket;
    this.key = key;
    this.body = body;
    this.observes = observes;
  }

  /**
   * The bucket of the key this update changes.
   *
   * @return the bucket
   */
  public String bucket() {
    return bucket;
  }

  /**
   * The key this update changes.
   *
   * @return the key
   */
  public String key() {
    return key;
  }

  @Override
  public String toString() {
    return bucket + "/" + key + " " + body;
  }
}
