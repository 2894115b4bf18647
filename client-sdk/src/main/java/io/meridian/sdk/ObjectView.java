package io.meridian.sdk;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One key as a read shows it: its type, its JSON value and the opaque context of that read (null
 * where the view comes from the offline replica and no region has answered for the key yet).
 */
record ObjectView(String bucket, String key, String type, JsonNode value, String context) {
  /**
   * The view of an object of the API ({@code {"bucket","key","type","value","context"}}), or null.
   */
  static ObjectView of(JsonNode object) {
    if (object == null || object.path("found").asBoolean(true) == false || !object.has("type")) {
      return null;
    }
    return new ObjectView(
        object.path("bucket").asText(),
        object.path("key").asText(),
        object.get("type").asText(),
        object.get("value"),
        object.path("context").asText(null));
  }
}
