package io.meridian.sdk;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The client's connection to the regions and its queue, at one moment ("N uploads pending", asked
 * for in couchbase-lite-ios#1929, with counts that are right because they are the queue's own).
 * Published through {@link Meridian#syncStatusPublisher()} whenever it changes.
 *
 * @param regions each configured region's state, in configuration order
 * @param pendingUpdates updates (single or batch) not yet acknowledged by a region
 * @param pendingBytes their JSON bodies' size, in bytes
 * @param oldestPendingAge how long the oldest of them has waited; zero when none
 * @param lastSync when a region last acknowledged an update of this client, if ever
 * @param lastError the newest failure of a region or of an update, if any
 * @param rejectedUpdates queued updates a region refused (kept in the offline directory, never
 *     silently dropped)
 */
public record SyncStatus(
    Map<String, RegionState> regions,
    long pendingUpdates,
    long pendingBytes,
    Duration oldestPendingAge,
    Optional<Instant> lastSync,
    Optional<String> lastError,
    long rejectedUpdates) {
  /**
   * Copies the map so a status never changes after it is published.
   *
   * @param regions each configured region's state, in configuration order
   * @param pendingUpdates updates not yet acknowledged by a region
   * @param pendingBytes their JSON bodies' size, in bytes
   * @param oldestPendingAge how long the oldest of them has waited
   * @param lastSync when a region last acknowledged an update of this client, if ever
   * @param lastError the newest failure, if any
   * @param rejectedUpdates queued updates a region refused
   */
  public SyncStatus {
    regions = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(regions));
  }

  /**
   * One region as this client sees it.
   *
   * @param reachable whether the last call to it succeeded
   * @param consecutiveFailures calls that failed in a row; its pause grows with them
   * @param lastError the last failure, if any
   */
  public record RegionState(
      boolean reachable, int consecutiveFailures, Optional<String> lastError) {}
}
