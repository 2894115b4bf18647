package io.meridian.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Semantic compaction of one batch: the increments of one counter key become one increment of their
 * sum, at the place of the first. A batch is applied all or nothing and carries one client
 * sequence, so the region counts the sum exactly once or not at all, as it would the increments.
 *
 * <p>A key is coalesced only when the result cannot differ from the increments': every update of
 * the key in the batch is a top-level increment of the same counter type (no other operation, no
 * map field), the amounts have one sign (so the counter passes no value on the way that the sum
 * would not pass: overflow is refused alike), and the sum stays within the API's 2^53.
 */
final class Coalescing {
  /** Largest |by| the API takes: 2^53. */
  static final long AMOUNT_MAX = 1L << 53;

  private Coalescing() {}

  /**
   * {@code updates} with the increments of each counter key that may be coalesced summed into one
   * update; the same list when nothing coalesces. Updates must have been checked already.
   */
  static List<Update> increments(List<Update> updates) {
    if (updates.size() < 2) {
      return updates;
    }
    Map<KeyName, Sum> sums = new HashMap<>();
    for (Update update : updates) {
      KeyName name = new KeyName(update.bucket, update.key);
      Sum sum = sums.get(name);
      String type = incrementType(update);
      if (sum == null) {
        sum = new Sum(type);
        sums.put(name, sum);
      }
      sum.add(type, type == null ? 0 : update.body.get("by").longValue());
    }
    if (sums.values().stream().noneMatch(Sum::coalesces)) {
      return updates;
    }
    List<Update> coalesced = new ArrayList<>(updates.size());
    for (Update update : updates) {
      Sum sum = sums.get(new KeyName(update.bucket, update.key));
      if (!sum.coalesces()) {
        coalesced.add(update);
      } else if (!sum.emitted) {
        sum.emitted = true;
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("type", sum.type);
        body.put("op", "increment");
        body.put("by", sum.total);
        coalesced.add(new Update(update.bucket, update.key, body, false));
      }
    }
    return coalesced;
  }

  /** The counter type of a top-level increment with nothing else in it, or null. */
  private static String incrementType(Update update) {
    ObjectNode body = update.body;
    if (update.observes || body.size() != 3 || !"increment".equals(body.path("op").asText())) {
      return null;
    }
    String type = body.path("type").asText();
    JsonNode by = body.get("by");
    if (!(type.equals("pn-counter") || type.equals("g-counter"))
        || by == null
        || !by.canConvertToExactIntegral()
        || !by.canConvertToLong()) {
      return null;
    }
    return type;
  }

  private record KeyName(String bucket, String key) {}

  /** What a batch does to one key, as far as coalescing goes. */
  private static final class Sum {
    final String type;
    long total;
    int count;
    boolean positive;
    boolean negative;
    boolean mixed;
    boolean emitted;

    Sum(String type) {
      this.type = type;
    }

    void add(String incrementType, long by) {
      count++;
      if (incrementType == null || !incrementType.equals(type)) {
        mixed = true;
        return;
      }
      positive |= by > 0;
      negative |= by < 0;
      long next = total + by;
      if (Math.abs(next) > AMOUNT_MAX || (positive && negative)) {
        mixed = true;
        return;
      }
      total = next;
    }

    boolean coalesces() {
      return count > 1 && !mixed && type != null;
    }
  }
}
