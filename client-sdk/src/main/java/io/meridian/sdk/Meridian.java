package io.meridian.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.clocks.VersionVector;
import io.meridian.crdt.CrdtRegistry;
import io.meridian.crdt.CrdtRequestException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A Meridian client: made by {@link #builder()}, thread safe, {@link AutoCloseable}. It hands out
 * typed handles of keys, applies {@link #batch batches} and {@link #read snapshot reads}, carries
 * the session (its guarantees hold across failover between regions), gives every update an identity
 * so that retries take effect once, and reports its {@link #syncStatus() sync status}.
 *
 * <p>With an {@linkplain Builder#offlineDirectory offline directory} the client keeps working
 * without any region: an update is applied at once to a local replica and queued on disk in the
 * same transaction, reads come from the replica (queued updates included) when no region answers,
 * and the queue is sent in order, exactly once, when a region is reachable, also after a crash and
 * restart of the application.
 */
public final class Meridian implements AutoCloseable {
  /** Updates per batch and keys per snapshot read, at most (the API's bound). */
  public static final int ITEMS_PER_REQUEST_MAX = 1_000;

  private static final int NAME_BYTES_MAX = 256;
  private static final int ASYNC_READS_QUEUED_MAX = 1_000;

  private final ClientConfig config;
  private final Session session = new Session();
  private final UpdateQueue queue;
  private final Transport transport;
  private final Visibility visibility;
  private final Writer writer;
  private final Thread writerThread;
  private final ThreadPoolExecutor readers;
  private final SubmissionPublisher<SyncStatus> statusPublisher;
  private final AtomicLong lastQueuedSeq = new AtomicLong();
  private final Set<Watch> watches = ConcurrentHashMap.newKeySet();
  private ScheduledExecutorService watchdog;
  private volatile boolean closed;

  private Meridian(ClientConfig config) {
    this.config = config;
    this.queue =
        config.offlineDirectory() == null
            ? new MemoryQueue(
                config.clientId() == null ? OperationIdentity.newClientId() : config.clientId(),
                config.queueEntriesMax(),
                config.queueBytesMax())
            : SqliteQueue.open(
                config.offlineDirectory(), config.queueEntriesMax(), config.queueBytesMax());
    String savedToken = queue.sessionToken();
    if (savedToken != null) {
      session.merge(savedToken);
    }
    this.statusPublisher =
        new SubmissionPublisher<>(
            daemonExecutor("meridian-status", 1, 64), Flow.defaultBufferSize());
    this.transport = new Transport(config, session, System::currentTimeMillis, this::publishStatus);
    this.visibility =
        new Visibility(
            transport, new ArrayList<>(config.regions().keySet()), config.visibilityPollMillis());
    this.writer = new Writer(queue, transport, session, visibility, this::publishStatus);
    this.readers = daemonExecutor("meridian-read", 4, ASYNC_READS_QUEUED_MAX);
    this.writerThread = new Thread(writer, "meridian-writer");
    writerThread.setDaemon(true);
    writerThread.start();
  }

  private static ThreadPoolExecutor daemonExecutor(String name, int threads, int queuedMax) {
    ThreadPoolExecutor executor =
        new ThreadPoolExecutor(
            threads,
            threads,
            30,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(queuedMax),
            runnable -> {
              Thread thread = new Thread(runnable, name);
              thread.setDaemon(true);
              return thread;
            });
    executor.allowCoreThreadTimeOut(true);
    return executor;
  }

  /**
   * A builder with the defaults: guarantees {@code causal}, 10 s calls, no offline directory.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  // ------------------------------------------------------------------ handles

  /**
   * The pn-counter at {@code bucket}/{@code key}.
   *
   * @param bucket the key's bucket
   * @param key the key
   * @return the handle; no call is made
   */
  public Counter counter(String bucket, String key) {
    return new Counter(this, bucket, key, List.of(), false);
  }

  /**
   * The g-counter at {@code bucket}/{@code key}.
   *
   * @param bucket the key's bucket
   * @param key the key
   * @return the handle; no call is made
   */
  public Counter growOnlyCounter(String bucket, String key) {
    return new Counter(this, bucket, key, List.of(), true);
  }

  /**
   * The lww-register at {@code bucket}/{@code key}, its values through {@code codec}.
   *
   * @param <T> the type of the values
   * @param bucket the key's bucket
   * @param key the key
   * @param codec how the values are encoded as JSON
   * @return the handle; no call is made
   */
  public <T> Register<T> register(String bucket, String key, Codec<T> codec) {
    return new Register<>(this, bucket, key, List.of(), codec);
  }

  /**
   * The mv-register at {@code bucket}/{@code key}, its values through {@code codec}.
   *
   * @param <T> the type of the values
   * @param bucket the key's bucket
   * @param key the key
   * @param codec how the values are encoded as JSON
   * @return the handle; no call is made
   */
  public <T> MultiValueRegister<T> multiValueRegister(String bucket, String key, Codec<T> codec) {
    return new MultiValueRegister<>(this, bucket, key, List.of(), codec);
  }

  /**
   * The ew-flag at {@code bucket}/{@code key}.
   *
   * @param bucket the key's bucket
   * @param key the key
   * @return the handle; no call is made
   */
  public Flag flag(String bucket, String key) {
    return new Flag(this, bucket, key, List.of());
  }

  /**
   * The g-set at {@code bucket}/{@code key}, its elements through {@code codec}.
   *
   * @param <T> the type of the values
   * @param bucket the key's bucket
   * @param key the key
   * @param codec how the values are encoded as JSON
   * @return the handle; no call is made
   */
  public <T> GrowOnlySet<T> growOnlySet(String bucket, String key, Codec<T> codec) {
    return new GrowOnlySet<>(this, bucket, key, List.of(), "g-set", codec);
  }

  /**
   * The aw-set (add wins) at {@code bucket}/{@code key}, its elements through {@code codec}.
   *
   * @param <T> the type of the values
   * @param bucket the key's bucket
   * @param key the key
   * @param codec how the values are encoded as JSON
   * @return the handle; no call is made
   */
  public <T> ElementSet<T> addWinsSet(String bucket, String key, Codec<T> codec) {
    return new ElementSet<>(this, bucket, key, List.of(), false, codec);
  }

  /**
   * The rw-set (remove wins) at {@code bucket}/{@code key}, its elements through {@code codec}.
   *
   * @param <T> the type of the values
   * @param bucket the key's bucket
   * @param key the key
   * @param codec how the values are encoded as JSON
   * @return the handle; no call is made
   */
  public <T> ElementSet<T> removeWinsSet(String bucket, String key, Codec<T> codec) {
    return new ElementSet<>(this, bucket, key, List.of(), true, codec);
  }

  /**
   * The or-map at {@code bucket}/{@code key}.
   *
   * @param bucket the key's bucket
   * @param key the key
   * @return the handle; no call is made
   */
  public ObservedRemoveMap map(String bucket, String key) {
    return new ObservedRemoveMap(this, bucket, key, List.of());
  }

  /**
   * The list at {@code bucket}/{@code key}, its items through {@code codec}.
   *
   * @param <T> the type of the values
   * @param bucket the key's bucket
   * @param key the key
   * @param codec how the values are encoded as JSON
   * @return the handle; no call is made
   */
  public <T> ReplicatedList<T> list(String bucket, String key, Codec<T> codec) {
    return new ReplicatedList<>(this, bucket, key, List.of(), codec);
  }

  // ------------------------------------------------------------------ batches and snapshots

  /**
   * Applies {@code updates} all or nothing: every region shows all of them or none.
   *
   * @param updates the updates, 1 to {@link #ITEMS_PER_REQUEST_MAX}
   * @return the batch's receipt
   */
  public WriteReceipt batch(Update... updates) {
    return await(batchAsync(Arrays.asList(updates)));
  }

  /**
   * As {@link #batch}, without blocking.
   *
   * @param updates the updates, 1 to {@link #ITEMS_PER_REQUEST_MAX}
   * @return completes with the receipt: at once with an offline directory (the batch is durable
   *     locally), else once a region accepted it
   */
  public CompletableFuture<WriteReceipt> batchAsync(List<Update> updates) {
    if (updates.isEmpty() || updates.size() > ITEMS_PER_REQUEST_MAX) {
      return CompletableFuture.failedFuture(
          new MeridianException.BadRequest(
              "a batch holds 1 to " + ITEMS_PER_REQUEST_MAX + " updates", null));
    }
    return submit(updates);
  }

  /**
   * Reads the keys of {@code handles} as one causally consistent snapshot. Without a region, an
   * offline client answers from its replica ({@link Snapshot#region()} is {@code "local"}).
   *
   * @param handles the handles whose keys to read, 1 to 1,000
   * @return the snapshot
   */
  public Snapshot read(Handle... handles) {
    return await(readAsync(Arrays.asList(handles)));
  }

  /**
   * As {@link #read}, without blocking.
   *
   * @param handles the handles whose keys to read, 1 to 1,000
   * @return completes with the snapshot
   */
  public CompletableFuture<Snapshot> readAsync(List<Handle> handles) {
    return supplyRead(() -> snapshot(handles));
  }

  // ------------------------------------------------------------------ status

  /**
   * This client's id: the first part of every operation id it sends.
   *
   * @return the client id
   */
  public String clientId() {
    return queue.clientId();
  }

  /**
   * The client's sync status now.
   *
   * @return the status
   */
  public SyncStatus syncStatus() {
    Map<String, SyncStatus.RegionState> regions = new LinkedHashMap<>();
    transport
        .health()
        .forEach(
            (region, health) ->
                regions.put(
                    region,
                    new SyncStatus.RegionState(
                        health.reachable(),
                        health.consecutiveFailures(),
                        Optional.ofNullable(health.lastError()))));
    long oldest = queue.oldestCreatedMillis();
    long lastSync = writer.lastSyncMillis();
    return new SyncStatus(
        regions,
        queue.pendingEntries(),
        queue.pendingBytes(),
        oldest == 0
            ? Duration.ZERO
            : Duration.ofMillis(Math.max(0, System.currentTimeMillis() - oldest)),
        lastSync == 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(lastSync)),
        Optional.ofNullable(writer.lastError()),
        queue.rejectedEntries());
  }

  /**
   * Publishes the sync status whenever it changes (an update queued, acknowledged or refused, a
   * region lost or back). A subscriber that falls behind by more than {@link
   * Flow#defaultBufferSize()} statuses misses some, never the newest for long.
   *
   * @return the publisher
   */
  public Flow.Publisher<SyncStatus> syncStatusPublisher() {
    return statusPublisher;
  }

  /**
   * Waits until no update is queued (every one acknowledged or refused), or {@code timeout}.
   *
   * @param timeout how long to wait at most
   * @throws InterruptedException when interrupted while waiting
   * @return whether the queue is empty
   */
  public boolean awaitSynced(Duration timeout) throws InterruptedException {
    return writer.awaitEmpty(System.currentTimeMillis() + timeout.toMillis());
  }

  /**
   * Stops the client. Queued updates of an offline client stay on disk and leave with the next
   * client of the directory; those of an online-only client are dropped, and their receipts fail
   * with {@link MeridianException.Closed}.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    List.copyOf(watches).forEach(Watch::close);
    synchronized (watches) {
      if (watchdog != null) {
        watchdog.shutdownNow();
      }
    }
    writer.close();
    try {
      writerThread.join(config.requestTimeout().toMillis() + 1_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    visibility.close();
    readers.shutdownNow();
    statusPublisher.close();
    // Acknowledgements persist the session as they happen; what reads added is kept here.
    queue.saveSessionToken(session.token());
    queue.close();
  }

  /** Watches open at once per client, at most. */
  public static final int WATCHES_MAX = 1_000;

  /**
   * Watches the key of {@code handle} (the whole key, for a field of a map): {@code listener} gets
   * a {@link Snapshot} of it, read with the handle ({@code counter.valueIn(snapshot)}), first as it
   * is now (if it exists) and then each time it changes, in the order a region applied the changes,
   * on the watch's own thread. Across a broken connection or a failover the watch resumes from its
   * last event and misses no change; a value may repeat then, never go back. An offline client's
   * replica of the key stays fresh through it, and the listener sees the replica's view (queued
   * updates included).
   *
   * @param handle the handle whose key to watch
   * @param listener called with each snapshot of the key, on the watch's thread
   * @return the watch; close it (or the client) to stop
   * @throws MeridianException.BadRequest for a bad name or past {@link #WATCHES_MAX} watches
   */
  public Watch watch(Handle handle, Consumer<Snapshot> listener) {
    return watch(List.of(handle), listener);
  }

  /** Keys one watch follows at most: the change stream's bound. */
  public static final int KEYS_PER_WATCH_MAX = 1_000;

  /**
   * As {@link #watch(Handle, Consumer)}, for the keys of several handles of one bucket on one
   * stream: {@code listener} gets a {@link Snapshot} of each key as it changes (read it with that
   * key's handle), in the order a region applied the changes, across all the keys. Handles of the
   * same key share its snapshots.
   *
   * @param handles 1 or more handles of one bucket, of at most {@link #KEYS_PER_WATCH_MAX} keys
   * @param listener called with each snapshot of a changed key, on the watch's thread
   * @return the watch; close it (or the client) to stop
   * @throws MeridianException.BadRequest for no handle, a bad name, handles of several buckets, too
   *     many keys, or past {@link #WATCHES_MAX} watches
   */
  public Watch watch(List<? extends Handle> handles, Consumer<Snapshot> listener) {
    requireOpen();
    if (handles.isEmpty()) {
      throw new MeridianException.BadRequest("a watch needs at least one handle", null);
    }
    String bucket = handles.get(0).bucket;
    requireName(bucket, "bucket");
    Set<String> keys = new HashSet<>();
    for (Handle handle : handles) {
      if (!bucket.equals(handle.bucket)) {
        throw new MeridianException.BadRequest(
            "one watch follows keys of one bucket, not " + bucket + " and " + handle.bucket, null);
      }
      requireName(handle.key, "key");
      keys.add(handle.key);
    }
    if (keys.size() > KEYS_PER_WATCH_MAX) {
      throw new MeridianException.BadRequest(
          "one watch follows at most " + KEYS_PER_WATCH_MAX + " keys", null);
    }
    Objects.requireNonNull(listener, "listener");
    Watch watch = new Watch(this, List.copyOf(handles), listener);
    synchronized (watches) {
      if (watches.size() >= WATCHES_MAX) {
        throw new MeridianException.BadRequest(
            "at most " + WATCHES_MAX + " watches are open per client", null);
      }
      watches.add(watch);
      if (watchdog == null) {
        watchdog =
            Executors.newSingleThreadScheduledExecutor(
                runnable -> {
                  Thread thread = new Thread(runnable, "meridian-watchdog");
                  thread.setDaemon(true);
                  return thread;
                });
        long period = Math.max(10, Math.min(1_000, config.watchIdleMillis() / 4));
        watchdog.scheduleWithFixedDelay(
            () -> watches.forEach(Watch::closeIfSilent), period, period, TimeUnit.MILLISECONDS);
      }
    }
    watch.start();
    return watch;
  }

  void watchClosed(Watch watch) {
    watches.remove(watch);
  }

  Transport transport() {
    return transport;
  }

  ClientConfig config() {
    return config;
  }

  Session session() {
    return session;
  }

  /**
   * A change event of a watched key: the offline replica takes it as the key's base when it covers
   * every update of this client a region acknowledged (its read vector covers the session's write
   * vector; queued updates still apply on top); the listener's snapshot is the replica's view, or
   * the region's object online.
   */
  Snapshot watched(Handle handle, JsonNode object, VersionVector[] vectors, String region) {
    String name = Snapshot.name(handle.bucket, handle.key);
    Map<String, ObjectView> objects = new LinkedHashMap<>();
    if (queue.hasReplica()) {
      if (vectors != null && vectors[1].dominates(session.writeVector())) {
        queue.observed(object, queue.changes());
      }
      objects.put(name, queue.local(handle.bucket, handle.key));
      return new Snapshot(objects, region);
    }
    objects.put(name, ObjectView.of(object));
    return new Snapshot(objects, region);
  }

  // ------------------------------------------------------------------ what the handles use

  CompletableFuture<WriteReceipt> submit(List<Update> updates) {
    if (closed) {
      return CompletableFuture.failedFuture(new MeridianException.Closed("the client is closed"));
    }
    UpdateQueue.Entry entry;
    try {
      for (Update update : updates) {
        check(update);
      }
      // Checked as the application made them, sent coalesced: errors name the application's.
      List<Update> sent = Coalescing.increments(updates);
      List<UpdateQueue.Queued> queued = new ArrayList<>(sent.size());
      for (Update update : sent) {
        queued.add(new UpdateQueue.Queued(update.bucket, update.key, update.body, update.observes));
      }
      entry = queue.append(queued);
    } catch (MeridianException e) {
      return CompletableFuture.failedFuture(e);
    }
    lastQueuedSeq.accumulateAndGet(entry.firstSeq() + entry.updates().size() - 1, Math::max);
    WriteReceipt receipt =
        new WriteReceipt(
            entry.firstSeq(), writer.identity().display(entry.firstSeq()), queue.durable());
    writer.queued(entry, receipt);
    publishStatus();
    if (queue.durable()) {
      // Offline clients complete at once: the update is on disk and will leave exactly once.
      return CompletableFuture.completedFuture(receipt);
    }
    return receipt.acceptedStage().thenApply(region -> receipt);
  }

  private static void check(Update update) {
    requireName(update.bucket, "bucket");
    requireName(update.key, "key");
    try {
      CrdtRegistry.parseUpdate(update.body);
    } catch (CrdtRequestException e) {
      throw new MeridianException.BadRequest(e.getMessage(), null);
    }
  }

  private static void requireName(String name, String what) {
    if (name == null) {
      throw new MeridianException.BadRequest(what + " is missing", null);
    }
    try {
      ByteBuffer bytes =
          StandardCharsets.UTF_8
              .newEncoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .encode(CharBuffer.wrap(name));
      if (bytes.remaining() < 1 || bytes.remaining() > NAME_BYTES_MAX) {
        throw new MeridianException.BadRequest(
            what + " must be 1 to " + NAME_BYTES_MAX + " bytes of UTF-8: " + name, null);
      }
    } catch (CharacterCodingException e) {
      throw new MeridianException.BadRequest(what + " is not valid Unicode", null);
    }
  }

  ObjectView readObject(Handle handle) {
    requireOpen();
    requireName(handle.bucket, "bucket");
    requireName(handle.key, "key");
    String path = Transport.keyPath(handle.bucket, handle.key);
    long changes = queue.changes();
    if (queue.hasReplica()) {
      try {
        Transport.Answer answer = transport.call(path, null);
        if (answer.found()) {
          queue.observed(answer.body(), changes);
        }
      } catch (MeridianException.Unavailable | MeridianException.Overloaded e) {
        // No region: the replica answers, queued updates included.
      }
      return queue.local(handle.bucket, handle.key);
    }
    awaitQueuedWrites();
    Transport.Answer answer = transport.call(path, null);
    if (!answer.found()) {
      return null;
    }
    queue.observed(answer.body(), changes);
    return ObjectView.of(answer.body());
  }

  CompletableFuture<ObjectView> readObjectAsync(Handle handle) {
    return supplyRead(() -> readObject(handle));
  }

  private Snapshot snapshot(List<Handle> handles) {
    requireOpen();
    if (handles.isEmpty() || handles.size() > ITEMS_PER_REQUEST_MAX) {
      throw new MeridianException.BadRequest(
          "a snapshot read names 1 to " + ITEMS_PER_REQUEST_MAX + " keys", null);
    }
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    ArrayNode keys = body.putArray("keys");
    Map<String, Handle> distinct = new LinkedHashMap<>();
    for (Handle handle : handles) {
      requireName(handle.bucket, "bucket");
      requireName(handle.key, "key");
      distinct.putIfAbsent(Snapshot.name(handle.bucket, handle.key), handle);
    }
    distinct.values().forEach(h -> keys.addObject().put("bucket", h.bucket).put("key", h.key));
    Map<String, ObjectView> objects = new LinkedHashMap<>();
    String region = "local";
    if (!queue.hasReplica()) {
      awaitQueuedWrites();
    }
    long changes = queue.changes();
    try {
      Transport.Answer answer = transport.call("/v1/read", body);
      region = answer.region();
      for (JsonNode object : answer.body().path("objects")) {
        queue.observed(object, changes);
        objects.put(
            Snapshot.name(object.path("bucket").asText(), object.path("key").asText()),
            ObjectView.of(object));
      }
    } catch (MeridianException.Unavailable | MeridianException.Overloaded e) {
      if (!queue.hasReplica()) {
        throw e;
      }
    }
    if (queue.hasReplica()) {
      for (Handle handle : distinct.values()) {
        objects.put(
            Snapshot.name(handle.bucket, handle.key), queue.local(handle.bucket, handle.key));
      }
    }
    return new Snapshot(objects, region);
  }

  /** Read your writes for async updates: a read waits for the updates queued before it. */
  private void awaitQueuedWrites() {
    long deadline = System.currentTimeMillis() + config.requestTimeout().toMillis();
    try {
      if (!writer.awaitDone(lastQueuedSeq.get(), deadline)) {
        throw new MeridianException.Unavailable(
            "updates queued before this read were not acknowledged within "
                + config.requestTimeout().toMillis()
                + " ms",
            null);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MeridianException.Unavailable("interrupted", e);
    }
  }

  private <T> CompletableFuture<T> supplyRead(java.util.function.Supplier<T> read) {
    try {
      return CompletableFuture.supplyAsync(read, readers);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(
          new MeridianException.Overloaded(
              ASYNC_READS_QUEUED_MAX + " async reads already wait", null, Duration.ofSeconds(1)));
    }
  }

  private void requireOpen() {
    if (closed) {
      throw new MeridianException.Closed("the client is closed");
    }
  }

  /**
   * Waits for {@code future} for at most the request timeout. A write that times out stays queued
   * and is applied exactly once when a region answers; the exception says so.
   */
  <T> T await(CompletableFuture<T> future) {
    try {
      return future.get(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof MeridianException meridian) {
        throw meridian;
      }
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      throw new MeridianException.Unavailable(
          "no region acknowledged within "
              + config.requestTimeout().toMillis()
              + " ms; a queued update stays queued and takes effect once when a region answers",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MeridianException.Unavailable("interrupted", e);
    }
  }

  private void publishStatus() {
    if (!closed && statusPublisher.hasSubscribers()) {
      statusPublisher.offer(syncStatus(), (subscriber, dropped) -> false);
    }
  }

  /**
   * Configures a {@link Meridian} client. Every setting but the regions has a default; every bound
   * is checked when {@link #build()} is called.
   */
  public static final class Builder {
    private final Map<String, URI> regions = new LinkedHashMap<>();
    private String home;
    private Set<Guarantee> guarantees = Guarantee.causal();
    private Duration requestTimeout = Duration.ofSeconds(10);
    private Duration connectTimeout = Duration.ofSeconds(2);
    private Duration sessionWait = Duration.ofSeconds(1);
    private Duration backoffMin = Duration.ofMillis(100);
    private Duration backoffMax = Duration.ofSeconds(5);
    private String apiToken;
    private Path offlineDirectory;
    private int queueEntriesMax = 10_000;
    private long queueBytesMax = 16L << 20;
    private Duration visibilityPoll = Duration.ofMillis(200);
    private Duration watchIdleTimeout = Duration.ofSeconds(30);
    private Path caFile;

    private Builder() {}

    /**
     * Adds a region by its name and base URL ({@code http://host:port}); the first is home.
     *
     * @param name the region's name
     * @param url its base URL
     * @return this builder
     */
    public Builder region(String name, String url) {
      Objects.requireNonNull(name, "name");
      regions.put(name, Transport.requireBaseUri(Objects.requireNonNull(url, "url")));
      if (home == null) {
        home = name;
      }
      return this;
    }

    /**
     * The region tried first and returned to once healthy (default: the first one added).
     *
     * @param name the region's name
     * @return this builder
     */
    public Builder home(String name) {
      this.home = Objects.requireNonNull(name, "name");
      return this;
    }

    /**
     * The session guarantees (default {@link Guarantee#causal()}); an empty set asks for none.
     *
     * @param guarantees the guarantees
     * @return this builder
     */
    public Builder guarantees(Set<Guarantee> guarantees) {
      this.guarantees =
          guarantees.isEmpty() ? Set.of() : EnumSet.copyOf(Objects.requireNonNull(guarantees));
      return this;
    }

    /**
     * How long a call may take, failover included (default 10 s).
     *
     * @param timeout the duration
     * @return this builder
     */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = Objects.requireNonNull(timeout);
      return this;
    }

    /**
     * How long opening a connection to one region may take (default 2 s).
     *
     * @param timeout the duration
     * @return this builder
     */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = Objects.requireNonNull(timeout);
      return this;
    }

    /**
     * How long a region may wait to catch up with the session before the SDK moves to another
     * (default 1 s, at most 60 s).
     *
     * @param wait the longest wait at a region
     * @return this builder
     */
    public Builder sessionWait(Duration wait) {
      this.sessionWait = Objects.requireNonNull(wait);
      return this;
    }

    /**
     * The pause of a failed region: {@code min} after one failure, doubling up to {@code max}.
     *
     * @param min the first pause
     * @param max the longest pause
     * @return this builder
     */
    public Builder backoff(Duration min, Duration max) {
      this.backoffMin = Objects.requireNonNull(min);
      this.backoffMax = Objects.requireNonNull(max);
      return this;
    }

    /**
     * The bearer token for regions started with API tokens.
     *
     * @param token the token
     * @return this builder
     */
    public Builder apiToken(String token) {
      this.apiToken = Objects.requireNonNull(token);
      return this;
    }

    /**
     * Trusts the certificates of a PEM file (e.g. the {@code ca.pem} of {@code meridian certs}) for
     * {@code https} regions, instead of the platform's trusted authorities. Host names are still
     * verified.
     *
     * @param file the PEM file
     * @return this builder
     */
    public Builder caFile(Path file) {
      this.caFile = Objects.requireNonNull(file);
      return this;
    }

    /**
     * Enables offline mode: the local replica, the durable queue, the client id and the session
     * live in {@code directory} (created if missing). One client at a time may use a directory.
     *
     * @param directory the directory
     * @return this builder
     */
    public Builder offlineDirectory(Path directory) {
      this.offlineDirectory = Objects.requireNonNull(directory);
      return this;
    }

    /**
     * The most updates waiting for a region (default 10,000).
     *
     * @param entries the bound, in updates
     * @return this builder
     */
    public Builder queueEntriesMax(int entries) {
      this.queueEntriesMax = entries;
      return this;
    }

    /**
     * The most bytes of updates waiting for a region (default 16 MiB).
     *
     * @param bytes the bound, in bytes
     * @return this builder
     */
    public Builder queueBytesMax(long bytes) {
      this.queueBytesMax = bytes;
      return this;
    }

    /**
     * How often receipts waiting to be visible everywhere poll the regions (default 200 ms).
     *
     * @param interval the interval
     * @return this builder
     */
    public Builder visibilityPoll(Duration interval) {
      this.visibilityPoll = Objects.requireNonNull(interval);
      return this;
    }

    /**
     * How long a watch's stream may stay silent before the watch takes the connection for dead and
     * reconnects (default 30 s; regions send a heartbeat every 10 s).
     *
     * @param timeout the duration
     * @return this builder
     */
    public Builder watchIdleTimeout(Duration timeout) {
      this.watchIdleTimeout = Objects.requireNonNull(timeout);
      return this;
    }

    /**
     * Makes the client.
     *
     * @return the client
     * @throws IllegalArgumentException for a missing region, a home that is not a region, or a
     *     bound out of range
     * @throws MeridianException.LocalStoreFailure when the offline directory cannot be opened
     */
    public Meridian build() {
      return new Meridian(
          new ClientConfig(
              regions,
              home,
              guarantees,
              requestTimeout,
              connectTimeout,
              sessionWait.toMillis(),
              backoffMin.toMillis(),
              backoffMax.toMillis(),
              apiToken,
              offlineDirectory,
              queueEntriesMax,
              queueBytesMax,
              visibilityPoll.toMillis(),
              watchIdleTimeout.toMillis(),
              null,
              caFile));
    }
  }
}
