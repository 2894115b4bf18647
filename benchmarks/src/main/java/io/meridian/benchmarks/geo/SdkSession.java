package io.meridian.benchmarks.geo;

import io.meridian.benchmarks.geo.Operation.Kind;
import io.meridian.benchmarks.geo.Operation.Outcome;
import io.meridian.sdk.Codec;
import io.meridian.sdk.Counter;
import io.meridian.sdk.GrowOnlySet;
import io.meridian.sdk.Meridian;
import io.meridian.sdk.MeridianException;
import io.meridian.sdk.Register;
import io.meridian.sdk.Snapshot;
import io.meridian.sdk.WriteReceipt;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A workload session through the project's SDK ({@link Meridian}) instead of raw HTTP: one client
 * per session (its own session token and client id, home at the session's home region, the other
 * regions for failover), with the same keys and types as the raw sessions (g-counters {@code c-N},
 * g-sets {@code s-N} and the pairs, the session's lww-register), so both kinds of client meet on
 * the same objects and one checker judges them.
 *
 * <p>How an SDK call enters the history: a returned receipt is {@link Outcome#OK}, its operation id
 * the receipt's ({@code clientId.seq}) and its region the one that accepted; a transient error
 * ({@code Unavailable}, {@code Overloaded}) of an update is {@link Outcome#UNKNOWN}, because the
 * SDK keeps the update queued and sends it again with the same sequence number until a region
 * acknowledges it (so it may still take effect, once: S4 across the SDK's failover); any other
 * error is {@link Outcome#FAILED}. A read is one snapshot read of the SDK, so the region that
 * served it is known.
 */
final class SdkSession implements AutoCloseable {
  private final Meridian client;
  private final String bucket;
  private final String home;
  private final Duration drainTimeout;

  /**
   * What one SDK call did.
   *
   * @param outcome how it completed
   * @param status 200 when it succeeded, 0 for a transient error, 400 for another error
   * @param region the region that accepted or served it (the home region when unknown)
   * @param operationId the receipt's operation id, or {@code fallbackId} without a receipt
   * @param values the values read, one per key (null where not answered)
   */
  record Result(
      Outcome outcome, int status, String region, String operationId, List<Object> values) {}

  /**
   * @param baseUris region name → base URI, in the order the regions are named
   * @param home the session's home region
   * @param bucket the bucket of the run's keys
   * @param requestTimeout the SDK's request timeout (a call fails over within it)
   */
  SdkSession(Map<String, String> baseUris, String home, String bucket, Duration requestTimeout) {
    Meridian.Builder builder = Meridian.builder();
    baseUris.forEach(builder::region);
    this.client =
        builder
            .home(home)
            .requestTimeout(requestTimeout)
            .backoff(Duration.ofMillis(50), Duration.ofSeconds(1))
            .build();
    this.bucket = bucket;
    this.home = home;
    this.drainTimeout = requestTimeout.multipliedBy(3);
  }

  /**
   * Applies one update.
   *
   * @param kind an update kind
   * @param key the key
   * @param argument increment amount, element, or assigned value
   * @param fallbackId the history's id for the update when no receipt names one
   * @return what happened
   */
  Result update(Kind kind, String key, Object argument, String fallbackId) {
    try {
      WriteReceipt receipt =
          switch (kind) {
            case INCREMENT -> counter(key).increment(HistoryChecker.asLong(argument));
            case ADD, PAIR_FIRST, PAIR_SECOND -> set(key).add((String) argument);
            case ASSIGN -> register(key).assign(HistoryChecker.asLong(argument));
            default -> throw new IllegalArgumentException("not an update: " + kind);
          };
      String region = receipt.accepted().getNow(home);
      return new Result(Outcome.OK, 200, region, receipt.operationId(), List.of());
    } catch (MeridianException e) {
      return new Result(
          e.isTransient() ? Outcome.UNKNOWN : Outcome.FAILED,
          e.isTransient() ? 0 : 400,
          e.region().orElse(home),
          fallbackId,
          List.of());
    }
  }

  /**
   * Reads keys in one snapshot.
   *
   * @param keys one key, or the two keys of a pair
   * @return what was read, values in the order of {@code keys}
   */
  Result read(List<String> keys) {
    try {
      List<io.meridian.sdk.Handle> handles = new ArrayList<>();
      for (String key : keys) {
        handles.add(handle(key));
      }
      Snapshot snapshot = client.read(handles.toArray(io.meridian.sdk.Handle[]::new));
      List<Object> values = new ArrayList<>();
      for (int i = 0; i < keys.size(); i++) {
        values.add(valueIn(keys.get(i), handles.get(i), snapshot));
      }
      return new Result(Outcome.OK, 200, snapshot.region(), null, values);
    } catch (MeridianException e) {
      return new Result(
          Outcome.FAILED,
          e.isTransient() ? 503 : 400,
          e.region().orElse(home),
          null,
          Collections.nCopies(keys.size(), null));
    }
  }

  private io.meridian.sdk.Handle handle(String key) {
    if (key.startsWith("c-") || key.startsWith("probe-")) {
      return counter(key);
    }
    if (key.startsWith("lww-")) {
      return register(key);
    }
    return set(key);
  }

  private static Object valueIn(String key, io.meridian.sdk.Handle handle, Snapshot snapshot) {
    if (handle instanceof Counter counter) {
      return counter.valueIn(snapshot);
    }
    if (handle instanceof Register<?> register) {
      return register.valueIn(snapshot).orElse(null);
    }
    @SuppressWarnings("unchecked")
    GrowOnlySet<String> set = (GrowOnlySet<String>) handle;
    return new ArrayList<Object>(set.elementsIn(snapshot));
  }

  private Counter counter(String key) {
    return client.growOnlyCounter(bucket, key);
  }

  private GrowOnlySet<String> set(String key) {
    return client.growOnlySet(bucket, key, Codec.strings());
  }

  private Register<Long> register(String key) {
    return client.register(bucket, key, Codec.longs());
  }

  /**
   * Waits (bounded) until the client's queued updates were acknowledged, then closes it, so no
   * update of the session is still on its way while the final states are read.
   */
  @Override
  public void close() {
    try {
      client.awaitSynced(drainTimeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      client.close();
    }
  }
}
