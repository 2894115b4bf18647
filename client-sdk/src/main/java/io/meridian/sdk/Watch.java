package io.meridian.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.clocks.DecodeException;
import io.meridian.clocks.VersionVector;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A live view of one key ({@link Meridian#watch}): a thread holds a change stream (Server-Sent
 * Events, {@code GET /v1/buckets/{bucket}/watch}) open at a region and calls the listener with a
 * {@link Snapshot} of the key each time it changes, in the order the region applied the changes.
 * When the stream breaks (a region stops, the network fails, the reader fell behind) it reconnects
 * with a backoff that doubles up to the client's maximum, home first, and resumes from the last
 * event's token: the region sends what changed since, so no change is missed and none goes back (a
 * value may repeat after a reconnect). Each event's token joins the client's session, so later
 * reads never show an older value; an offline client's replica of the key takes the value as its
 * new base (as a read does). {@link #close()} stops it; closing the client closes it too.
 */
public final class Watch implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Watch.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Meridian client;

  /** The bucket of every watched key. */
  private final String bucket;

  /** Each watched key and the handle its snapshots are made with (the first handle of the key). */
  private final Map<String, Handle> handles;

  private final Consumer<Snapshot> listener;
  private final Thread thread;
  private final AtomicLong events = new AtomicLong();
  private final AtomicLong connections = new AtomicLong();
  private volatile boolean closed;
  private volatile InputStream body;
  private volatile long lastHeardNanos = System.nanoTime();
  private volatile String failure;
  private String lastEventId;

  /** {@code handles}: 1 or more, of one bucket (checked by {@link Meridian#watch}). */
  Watch(Meridian client, List<Handle> handles, Consumer<Snapshot> listener) {
    this.client = client;
    this.bucket = handles.get(0).bucket;
    this.handles = new LinkedHashMap<>();
    handles.forEach(handle -> this.handles.putIfAbsent(handle.key, handle));
    this.listener = listener;
    this.thread = new Thread(this::run, "meridian-watch-" + this);
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /**
   * Whether the watch still runs: not closed, and no region refused it (a 4xx).
   *
   * @return whether the watch runs
   */
  public boolean isOpen() {
    return !closed;
  }

  /**
   * Why a region refused the watch, if one did; the watch then stopped.
   *
   * @return the region's reason, if one refused the watch
   */
  public Optional<String> failure() {
    return Optional.ofNullable(failure);
  }

  /**
   * Changes delivered to the listener so far.
   *
   * @return the number of changes
   */
  public long changes() {
    return events.get();
  }

  /**
   * Streams opened so far: 1, plus one per reconnect.
   *
   * @return the number of streams opened
   */
  public long connections() {
    return connections.get();
  }

  /** Stops the watch: no listener call starts after this returns. */
  @Override
  public void close() {
    closed = true;
    closeBody();
    thread.interrupt();
    if (Thread.currentThread() != thread) {
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    client.watchClosed(this);
  }

  /**
   * Closes the open stream if nothing (no event, no heartbeat) came for the client's watch idle
   * timeout: a connection that died silently (a partition, a lost peer) then breaks, and the watch
   * reconnects and resumes.
   */
  void closeIfSilent() {
    long silentMillis = (System.nanoTime() - lastHeardNanos) / 1_000_000;
    if (body != null && silentMillis > client.config().watchIdleMillis()) {
      LOG.fine(() -> "watch of " + this + " heard nothing for " + silentMillis + " ms");
      closeBody();
    }
  }

  private void closeBody() {
    InputStream open = body;
    if (open != null) {
      try {
        open.close();
      } catch (IOException e) {
        // Closing is all that is wanted.
      }
    }
  }

  private void run() {
    List<String> regions = client.transport().preference();
    int failures = 0;
    int next = 0;
    while (!closed) {
      String region = regions.get(next % regions.size());
      boolean caughtUp = false;
      try {
        caughtUp = stream(region);
      } catch (IOException e) {
        LOG.log(Level.FINE, "watch of " + this + " at " + region + " broke", e);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "watch of " + this + " failed at " + region, e);
      } finally {
        closeBody();
        body = null;
      }
      if (closed) {
        return;
      }
      if (caughtUp) {
        failures = 0;
        next = 0;
      } else {
        failures++;
        next++;
      }
      pause(failures);
    }
  }

  private void pause(int failures) {
    ClientConfig config = client.config();
    long pause =
        Math.min(config.backoffMaxMillis(), config.backoffMinMillis() << Math.min(20, failures));
    pause = pause / 2 + ThreadLocalRandom.current().nextLong(pause / 2 + 1);
    try {
      Thread.sleep(Math.max(1, pause));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closed = true;
    }
  }

  /**
   * One stream at {@code region} until it ends; true if it got as far as {@code ready} (the region
   * served it), so the next attempt starts from home again without a growing pause.
   */
  private boolean stream(String region) throws IOException, InterruptedException {
    connections.incrementAndGet();
    String path = Transport.watchPath(bucket, handles.keySet());
    HttpResponse<InputStream> response = client.transport().openStream(region, path, lastEventId);
    body = response.body();
    if (closed) {
      return false;
    }
    response.headers().firstValue("Meridian-Session").ifPresent(this::mergeSession);
    if (response.statusCode() != 200) {
      String text = new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
      int status = response.statusCode();
      if (status >= 400 && status < 500 && status != 429) {
        failure = status + " " + Transport.errorMessageOf(text, status);
        closed = true;
        client.watchClosed(this);
      }
      return false;
    }
    boolean caughtUp = false;
    BufferedReader reader =
        new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
    String event = null;
    String id = null;
    StringBuilder data = new StringBuilder();
    String line;
    while (!closed && (line = reader.readLine()) != null) {
      lastHeardNanos = System.nanoTime();
      if (line.isEmpty()) {
        if (event != null) {
          if (!dispatch(region, event, id, data.toString())) {
            return caughtUp;
          }
          caughtUp |= event.equals("ready");
        }
        event = null;
        id = null;
        data.setLength(0);
      } else if (line.startsWith("event:")) {
        event = field(line, "event:");
      } else if (line.startsWith("id:")) {
        id = field(line, "id:");
      } else if (line.startsWith("data:")) {
        data.append(field(line, "data:"));
      }
    }
    return caughtUp;
  }

  private static String field(String line, String name) {
    String value = line.substring(name.length());
    return value.startsWith(" ") ? value.substring(1) : value;
  }

  /** One event; false when the stream should be left (the region closes it). */
  private boolean dispatch(String region, String event, String id, String data) {
    switch (event) {
      case "ready" -> {
        remember(id);
        return true;
      }
      case "change" -> {
        JsonNode object;
        try {
          object = JSON.readTree(data);
        } catch (IOException e) {
          throw new IllegalStateException("a change event that is not JSON: " + data, e);
        }
        VersionVector[] vectors = remember(id);
        Handle handle = handles.get(object.path("key").asText());
        if (handle == null || !bucket.equals(object.path("bucket").asText())) {
          throw new IllegalStateException("a change of a key this watch did not ask for: " + data);
        }
        Snapshot snapshot = client.watched(handle, object, vectors, region);
        events.incrementAndGet();
        if (!closed) {
          try {
            listener.accept(snapshot);
          } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "a watch listener of " + this + " failed", e);
          }
        }
        return true;
      }
      case "overflow" -> {
        LOG.fine(() -> "watch of " + this + " fell behind at " + region + ": " + data);
        return false;
      }
      default -> {
        return true;
      }
    }
  }

  /** Keeps {@code id} to resume from and joins it to the session; its vectors, or null. */
  private VersionVector[] remember(String id) {
    if (id == null) {
      return null;
    }
    VersionVector[] vectors;
    try {
      vectors = Session.decode(id);
    } catch (DecodeException e) {
      throw new IllegalStateException("an event id that is not a session token: " + id, e);
    }
    lastEventId = id;
    mergeSession(id);
    return vectors;
  }

  private void mergeSession(String token) {
    try {
      client.session().merge(token);
    } catch (DecodeException e) {
      LOG.fine(() -> "an unreadable session token from a watch: " + e.getMessage());
    }
  }

  /** The watched keys, as {@code bucket/key1,key2}. */
  @Override
  public String toString() {
    return bucket + "/" + String.join(",", handles.keySet());
  }
}
