package io.meridian.server.region;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The operation ids applied at this region, per key, remembered for at least {@code
 * retentionMillis} after they were applied (API: "Ids are remembered for at least 24 hours"). The
 * CRDT states keep an id only until it is stable; this table keeps refusing retries after that.
 * Bounded: past {@code entriesMax} the oldest id is forgotten early and counted, since a table
 * without end would be a memory leak an attacker could drive. Owned by the region's single owner:
 * not thread safe.
 */
final class OperationIdTable {
  private final long retentionMillis;
  private final int entriesMax;
  private final LinkedHashMap<Entry, Long> appliedAtMillis = new LinkedHashMap<>();
  private long evictedBeforeRetention;

  private record Entry(ObjectName name, String operationId) {}

  OperationIdTable(long retentionMillis, int entriesMax) {
    if (retentionMillis < 0 || entriesMax < 1) {
      throw new IllegalArgumentException("bad operation id table bounds");
    }
    this.retentionMillis = retentionMillis;
    this.entriesMax = entriesMax;
  }

  boolean contains(ObjectName name, String operationId) {
    return appliedAtMillis.containsKey(new Entry(name, operationId));
  }

  void record(ObjectName name, String operationId, long nowMillis) {
    Entry entry = new Entry(name, operationId);
    if (appliedAtMillis.containsKey(entry)) {
      return;
    }
    appliedAtMillis.put(entry, nowMillis);
    if (appliedAtMillis.size() > entriesMax) {
      Iterator<Map.Entry<Entry, Long>> oldest = appliedAtMillis.entrySet().iterator();
      oldest.next();
      oldest.remove();
      evictedBeforeRetention++;
    }
  }

  /** Forgets the ids applied more than the retention period ago. */
  void expire(long nowMillis) {
    Iterator<Map.Entry<Entry, Long>> oldest = appliedAtMillis.entrySet().iterator();
    while (oldest.hasNext()) {
      if (nowMillis - oldest.next().getValue() < retentionMillis) {
        return;
      }
      oldest.remove();
    }
  }

  int size() {
    return appliedAtMillis.size();
  }

  long evictedBeforeRetention() {
    return evictedBeforeRetention;
  }
}
