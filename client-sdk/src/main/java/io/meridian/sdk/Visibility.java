package io.meridian.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.clocks.VersionVector;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Completes the "visible everywhere" stage of receipts: polls {@code GET /v1/status} of every
 * configured region while some receipt waits, and completes a receipt once every region's applied
 * vector covers the session's write vector as of its acknowledgement (which covers the update).
 * Bounded: at most {@link #WATCHED_RECEIPTS_MAX} receipts wait; past that a new one fails at once
 * with {@link MeridianException.QueueFull} rather than grow without end.
 */
final class Visibility implements AutoCloseable {
  static final int WATCHED_RECEIPTS_MAX = 10_000;

  private record Watched(VersionVector written, CompletableFuture<Void> visible) {}

  private final Transport transport;
  private final List<String> regions;
  private final List<Watched> watched = new ArrayList<>();
  private final ScheduledExecutorService poller;

  Visibility(Transport transport, List<String> regions, long pollMillis) {
    this.transport = transport;
    this.regions = List.copyOf(regions);
    this.poller =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "meridian-visibility");
              thread.setDaemon(true);
              return thread;
            });
    poller.scheduleWithFixedDelay(this::poll, pollMillis, pollMillis, TimeUnit.MILLISECONDS);
  }

  void watch(VersionVector written, CompletableFuture<Void> visible) {
    synchronized (watched) {
      if (watched.size() >= WATCHED_RECEIPTS_MAX) {
        visible.completeExceptionally(
            new MeridianException.QueueFull(
                WATCHED_RECEIPTS_MAX + " receipts already wait to be visible everywhere"));
        return;
      }
      watched.add(new Watched(written, visible));
    }
  }

  private void poll() {
    synchronized (watched) {
      if (watched.isEmpty()) {
        return;
      }
    }
    VersionVector everywhere = null;
    try {
      for (String region : regions) {
        VersionVector applied = applied(transport.status(region));
        everywhere = everywhere == null ? applied : everywhere.meet(applied);
      }
    } catch (MeridianException.Unavailable | MeridianException.Overloaded e) {
      return;
    } catch (MeridianException refused) {
      failAll(refused);
      return;
    } catch (RuntimeException e) {
      return;
    }
    synchronized (watched) {
      Iterator<Watched> waiting = watched.iterator();
      while (waiting.hasNext()) {
        Watched next = waiting.next();
        if (everywhere.dominates(next.written)) {
          next.visible.complete(null);
          waiting.remove();
        }
      }
    }
  }

  private void failAll(MeridianException cause) {
    synchronized (watched) {
      watched.forEach(waiting -> waiting.visible.completeExceptionally(cause));
      watched.clear();
    }
  }

  private static VersionVector applied(JsonNode status) {
    Map<String, Long> entries = new TreeMap<>();
    status
        .path("applied")
        .fields()
        .forEachRemaining(
            field -> {
              if (field.getValue().asLong() > 0) {
                entries.put(field.getKey(), field.getValue().asLong());
              }
            });
    return VersionVector.of(entries);
  }

  @Override
  public void close() {
    poller.shutdownNow();
    failAll(
        new MeridianException.Closed("the client closed before the update was seen everywhere"));
  }
}
