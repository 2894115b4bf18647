package io.meridian.sdk;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What {@link Meridian.Builder} gathered, checked once: every bound has its unit in its name.
 *
 * @param regions region name to base URL, in the order failover tries them after home
 * @param home the region tried first, and returned to once it is healthy
 * @param guarantees the session guarantees every request asks for
 * @param requestTimeout how long one call may take, failover included
 * @param connectTimeout how long opening a connection to one region may take
 * @param sessionWaitMillis how long a region may wait to catch up with the session (the {@code
 *     Meridian-Wait} header) before it answers 503 and the SDK moves on
 * @param backoffMinMillis the first pause of a region after a failure; doubles per failure
 * @param backoffMaxMillis the longest pause of a region
 * @param apiToken the bearer token, or null for an open API
 * @param offlineDirectory where the offline store lives, or null for an online-only client
 * @param queueEntriesMax the most updates (single or batch) waiting for a region
 * @param queueBytesMax the most bytes of JSON bodies waiting for a region
 * @param visibilityPollMillis how often receipts waiting to be visible everywhere poll the regions
 * @param watchIdleMillis how long a watch's stream may stay silent (no event, no heartbeat) before
 *     the watch takes it for dead and reconnects
 * @param clientId the client id to use when there is no offline directory, or null to draw one
 * @param caFile PEM certificates to trust for {@code https} regions instead of the platform's, or
 *     null
 */
record ClientConfig(
    Map<String, URI> regions,
    String home,
    Set<Guarantee> guarantees,
    Duration requestTimeout,
    Duration connectTimeout,
    long sessionWaitMillis,
    long backoffMinMillis,
    long backoffMaxMillis,
    String apiToken,
    Path offlineDirectory,
    int queueEntriesMax,
    long queueBytesMax,
    long visibilityPollMillis,
    long watchIdleMillis,
    String clientId,
    Path caFile) {
  ClientConfig {
    if (regions.isEmpty()) {
      throw new IllegalArgumentException("at least one region is needed");
    }
    regions = Collections.unmodifiableMap(new LinkedHashMap<>(regions));
    if (!regions.containsKey(home)) {
      throw new IllegalArgumentException(
          "home region " + home + " is not one of " + regions.keySet());
    }
    guarantees =
        guarantees.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(guarantees));
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    requirePositive(requestTimeout.toMillis(), "requestTimeout");
    requirePositive(connectTimeout.toMillis(), "connectTimeout");
    if (sessionWaitMillis < 0 || sessionWaitMillis > 60_000) {
      throw new IllegalArgumentException(
          "sessionWaitMillis must be 0 to 60000: " + sessionWaitMillis);
    }
    requirePositive(backoffMinMillis, "backoffMinMillis");
    if (backoffMaxMillis < backoffMinMillis) {
      throw new IllegalArgumentException("backoffMaxMillis must be at least backoffMinMillis");
    }
    requirePositive(queueEntriesMax, "queueEntriesMax");
    requirePositive(queueBytesMax, "queueBytesMax");
    requirePositive(visibilityPollMillis, "visibilityPollMillis");
    requirePositive(watchIdleMillis, "watchIdleMillis");
    if (clientId != null) {
      OperationIdentity.requireClientId(clientId);
    }
  }

  private static void requirePositive(long value, String name) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be positive: " + value);
    }
  }
}
