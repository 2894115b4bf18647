package io.meridian.server.region;

import com.google.protobuf.ByteString;
import io.meridian.clocks.PhysicalClock;
import io.meridian.clocks.VersionVector;
import io.meridian.server.storage.CheckpointMetadata;
import io.meridian.server.storage.CheckpointStore;
import io.meridian.server.storage.DataDirectory;
import io.meridian.server.storage.LogRecord;
import io.meridian.server.storage.StorageException;
import io.meridian.server.storage.UpdateLog;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One region as a running server: its {@link RegionDriver} confined to one Vert.x context (no
 * locks), over the region's data directory, update log and checkpoint store. Every public method
 * may be called from any thread; the work runs on the owner's context and the answer comes back as
 * a future on the caller's context. Nothing here blocks an event loop: the log forces its groups on
 * its own thread and checkpoints run on a worker, and each completion comes back to the driver on
 * its context.
 */
public final class RegionOwner {
  private final Vertx vertx;
  private final RegionOwnerConfig config;
  private final DataDirectory directory;
  private final CheckpointStore checkpointStore;
  private final UpdateLog updateLog;
  private final RegionDriver driver;
  private final List<Long> timers = new ArrayList<>();
  private Context context;
  private String deploymentId;

  /**
   * Fewest idle ticks worth putting the tick timer to sleep for: below it the wake-up costs about
   * what it saves.
   */
  static final long SLEEP_TICKS_MIN = 5;

  // The tick timer, on the owner's context only: periodic while ticks count for something, one
  // wake-up timer while the region is idle (asleep), none once stopped.
  private long tickTimer = -1;
  private boolean asleep;
  private boolean stopped;
  private long lastTickNanos;

  private RegionOwner(
      Vertx vertx,
      RegionOwnerConfig config,
      MeterRegistry registry,
      DataDirectory directory,
      CheckpointStore checkpointStore,
      UpdateLog updateLog) {
    this.vertx = vertx;
    this.config = config;
    this.directory = directory;
    this.checkpointStore = checkpointStore;
    this.updateLog = updateLog;
    this.driver =
        RegionDriver.recover(
            config,
            new RegionDriver.Environment(
                new LogOnDisk(),
                new CheckpointsOnDisk(),
                physicalClock(),
                registry,
                this::schedulePump));
    driver.metrics().registerLog(updateLog);
  }

  /**
   * Test-only system property: shifts this process's physical clock by that many milliseconds (the
   * geo harness's regions whose clocks run ahead, behind, or jump back across a restart).
   */
  public static final String CLOCK_OFFSET_PROPERTY = "meridian.test.clockOffsetMillis";

  private static PhysicalClock physicalClock() {
    long offsetMillis = Long.getLong(CLOCK_OFFSET_PROPERTY, 0L);
    if (offsetMillis == 0) {
      return PhysicalClock.system();
    }
    return () -> System.currentTimeMillis() + offsetMillis;
  }

  private void schedulePump() {
    context.runOnContext(
        v -> {
          wake();
          driver.pump();
        });
  }

  /**
   * Opens the region on {@code dataDirectory}: loads the last checkpoint, replays the log, and
   * starts the owner, its tick and checkpoint timers. Blocks while it reads the disk: call it from
   * a thread that is not an event loop. Frames go nowhere until {@link #connect} is called.
   *
   * @throws StorageException when the directory is held by another process or the disk is damaged
   */
  public static RegionOwner open(Vertx vertx, RegionOwnerConfig config, MeterRegistry registry) {
    DataDirectory directory = DataDirectory.open(config.dataDirectory());
    CheckpointStore checkpoints = null;
    UpdateLog log = null;
    try {
      checkpoints = CheckpointStore.open(directory.checkpointFile());
      log = UpdateLog.open(directory.logDirectory(), config.updateLog());
      RegionOwner region = new RegionOwner(vertx, config, registry, directory, checkpoints, log);
      region.start();
      return region;
    } catch (RuntimeException e) {
      closeStorage(log, checkpoints, directory);
      throw e;
    }
  }

  private void start() {
    OwnerVerticle owner = new OwnerVerticle();
    deploymentId = await(vertx.deployVerticle(owner));
    context = owner.context();
    context.runOnContext(
        v -> {
          lastTickNanos = System.nanoTime();
          tickTimer = vertx.setPeriodic(config.tickMillis(), id -> tick());
          timers.add(
              vertx.setPeriodic(
                  config.checkpointIntervalMillis(), id -> driver.checkpointAndFold()));
          driver.pump();
        });
  }

  /**
   * One tick of the periodic timer. When the driver has nothing to count ticks for ({@link
   * RegionDriver#idleTicks()}), the periodic timer stops and a single timer wakes the region when
   * the next tick is due to matter (a heartbeat); anything that arrives earlier wakes it first. So
   * three idle regions wake a few times a second instead of a hundred times each.
   */
  private void tick() {
    if (asleep) {
      return; // a tick of the cancelled periodic timer: wake() counts the time
    }
    lastTickNanos = System.nanoTime();
    driver.tick();
    long idle = driver.idleTicks();
    if (idle >= SLEEP_TICKS_MIN && !stopped) {
      vertx.cancelTimer(tickTimer);
      asleep = true;
      tickTimer =
          vertx.setTimer(
              idle * config.tickMillis(),
              id -> {
                tickTimer = -1;
                wake();
              });
    }
  }

  /**
   * On the owner's context, before any input: when asleep, counts the ticks that passed (each one a
   * {@link RegionDriver#tick()}, so the driver sees every tick, late) and starts the periodic timer
   * again.
   */
  private void wake() {
    if (!asleep || stopped) {
      return;
    }
    asleep = false;
    if (tickTimer >= 0) {
      vertx.cancelTimer(tickTimer);
    }
    long tickNanos = TimeUnit.MILLISECONDS.toNanos(config.tickMillis());
    // At most twice the longest sleep: after a stall (a pause of the whole process) the driver sees
    // fewer ticks than time passed, as it did with the periodic timer, instead of a long burst.
    long passed =
        Math.min(
            (System.nanoTime() - lastTickNanos) / tickNanos,
            2L * config.replication().heartbeatIntervalTicks());
    for (long i = 0; i < passed; i++) {
      driver.tick();
    }
    lastTickNanos += passed * tickNanos;
    tickTimer = vertx.setPeriodic(config.tickMillis(), id -> tick());
  }

  /** Gives the owner an event-loop context of its own. */
  private static final class OwnerVerticle extends VerticleBase {
    Context context() {
      return context;
    }
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("region start failed: " + e, e);
    }
  }

  // ------------------------------------------------------------------ inputs

  /** Where frames go from now on; the transport calls it once it is listening. */
  public void connect(FrameSender frameSender) {
    context.runOnContext(v -> driver.connect(frameSender));
  }

  /**
   * Runs {@code start} on the owner's context and hands back what it started: a server or client
   * started there (the region's HTTP server, its replication transport) handles its connections on
   * the owner's event loop, so a request's way to the owner and its answer's way back, and a
   * frame's way between the transport and the owner, are tasks on one thread, not wake-ups of
   * another.
   */
  public <T> Future<T> startOnOwner(Supplier<Future<T>> start) {
    Promise<T> started = Promise.promise();
    context.runOnContext(
        v -> {
          Future<T> future;
          try {
            future = start.get();
          } catch (RuntimeException e) {
            future = Future.failedFuture(e);
          }
          future.onComplete(
              result -> {
                if (result.succeeded()) {
                  started.complete(result.result());
                } else {
                  started.fail(result.cause());
                }
              });
        });
    return started.future();
  }

  /** The region's name. */
  public String name() {
    return config.name();
  }

  /** The configuration the region runs with. */
  public RegionOwnerConfig config() {
    return config;
  }

  /**
   * A frame from a peer, as the transport authenticated it. A frame whose sender field names
   * another region is the transport's to reject; this takes what it is given.
   */
  public void receiveFrame(byte[] frame) {
    context.runOnContext(
        v -> {
          wake();
          driver.receiveFrame(frame);
        });
  }

  /** Counts a frame the transport rejected because its sender is not the authenticated peer. */
  public void countFrameFromWrongSender() {
    driver.metrics().framesFromWrongSender.incrementAndGet();
  }

  /** {@link RegionDriver#write}, on the owner; the answer comes back on the caller's context. */
  public Future<RegionResult> write(
      List<UpdateRequest> updates, VersionVector required, long waitMillis) {
    return onOwner(() -> driver.write(updates, required, waitMillis));
  }

  /** {@link RegionDriver#read}, on the owner; the answer comes back on the caller's context. */
  public Future<RegionResult> read(
      List<ObjectName> names, VersionVector required, long waitMillis) {
    return onOwner(() -> driver.read(names, required, waitMillis));
  }

  /**
   * {@link RegionDriver#watch}, on the owner; the start comes back on the caller's context, the
   * sink is called on the owner's (it must hand its work to another context and not block).
   */
  Future<Watches.Start> watch(
      List<ObjectName> names,
      VersionVector required,
      long waitMillis,
      VersionVector since,
      Watches.Sink sink) {
    return onOwner(() -> driver.watch(names, required, waitMillis, since, sink));
  }

  /** {@link RegionDriver#unwatch}, on the owner. */
  void unwatch(long id) {
    context.runOnContext(v -> driver.unwatch(id));
  }

  /** {@code GET /v1/status}: the region, its HLC, applied vector, log length and peers. */
  public Future<RegionStatus> status() {
    return onOwner(() -> CompletableFuture.completedFuture(driver.status()));
  }

  /** The applied vector, read on the owner (for tests and tools). */
  public Future<VersionVector> appliedVector() {
    return onOwner(() -> CompletableFuture.completedFuture(driver.appliedVector()));
  }

  /** True while storage is open and the region has not failed. */
  public boolean ready() {
    return driver.open();
  }

  /**
   * Runs {@code call} on the owner and delivers its answer on the caller's context when it has one:
   * whatever the caller chains on it (JSON, the HTTP response) then runs there and not on the
   * owner's single thread.
   */
  private <T> Future<T> onOwner(Supplier<CompletableFuture<T>> call) {
    Context caller = Vertx.currentContext();
    Promise<T> relayed = Promise.promise();
    context.runOnContext(
        v -> {
          wake();
          CompletableFuture<T> answer;
          try {
            answer = call.get();
          } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
          }
          answer.whenComplete(
              (result, error) -> {
                if (caller == null) {
                  complete(relayed, result, error);
                } else {
                  caller.runOnContext(ignored -> complete(relayed, result, error));
                }
              });
        });
    return relayed.future();
  }

  private static <T> void complete(Promise<T> promise, T result, Throwable error) {
    if (error != null) {
      promise.fail(error);
    } else {
      promise.complete(result);
    }
  }

  // ------------------------------------------------------------------ storage for the driver

  /** The update log: appends forced on the log's thread, completions back on the owner. */
  private final class LogOnDisk implements RegionLog {
    @Override
    public void replay(Consumer<LogRecord> each) {
      updateLog.replay(updateLog.firstIndex(), each);
    }

    @Override
    public long lastIndex() {
      return updateLog.lastIndex();
    }

    @Override
    public void append(List<byte[]> records, GroupCallback done) {
      List<CompletableFuture<Long>> appends;
      try {
        // All or none: a group refused for a full queue can be offered again as it is.
        appends = updateLog.appendAll(records);
      } catch (StorageException e) {
        done.completed(null, e);
        return;
      }
      long startNanos = System.nanoTime();
      CompletableFuture.allOf(appends.toArray(CompletableFuture[]::new))
          .whenComplete(
              (ignored, error) ->
                  context.runOnContext(
                      v -> {
                        if (error != null) {
                          done.completed(null, error);
                          return;
                        }
                        RegionMetrics metrics = driver.metrics();
                        metrics.commitLatency.record(
                            System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
                        metrics.updatesPerCommit.record(records.size());
                        List<Long> indexes = new ArrayList<>(appends.size());
                        for (CompletableFuture<Long> append : appends) {
                          indexes.add(append.join());
                        }
                        done.completed(indexes, null);
                      }));
    }

    @Override
    public void deleteBelow(long index) {
      vertx.executeBlocking(() -> updateLog.deleteSegmentsBelow(index), false);
    }
  }

  /** The checkpoint store: MapDB commits on a worker, completions back on the owner. */
  private final class CheckpointsOnDisk implements RegionCheckpoints {
    @Override
    public Optional<CheckpointMetadata> lastCheckpoint() {
      return checkpointStore.lastCheckpoint();
    }

    @Override
    public void forEachState(BiConsumer<ByteString, ByteString> each) {
      checkpointStore.forEachState(each);
    }

    @Override
    public void forEachState(
        ByteString fromInclusive,
        ByteString toExclusive,
        BiPredicate<ByteString, ByteString> each) {
      checkpointStore.forEachState(fromInclusive, toExclusive, each);
    }

    @Override
    public Optional<ByteString> state(ByteString key) {
      return checkpointStore.stateBytes(key);
    }

    @Override
    public void commit(
        VersionVector vector,
        long logIndex,
        Map<ByteString, ByteString> states,
        Set<ByteString> removed,
        Consumer<Throwable> done) {
      context
          .executeBlocking(() -> checkpointStore.commit(vector, logIndex, states, removed), false)
          .onComplete(result -> done.accept(result.cause()));
    }
  }

  // ------------------------------------------------------------------ shutdown

  /**
   * Stops serving, lets the Ready in progress finish, takes a last checkpoint and closes the log
   * and the data directory. Requests still waiting are answered {@code overloaded}.
   */
  public Future<Void> close() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> driver.close(() -> stop(done)));
    return done.future();
  }

  /**
   * Stops like a crash would, for tests: no last checkpoint, storage closed as it is. What was
   * acknowledged is in the log; what the last checkpoint missed is replayed at the next open.
   */
  Future<Void> closeWithoutCheckpoint() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(
        v -> {
          driver.crash();
          stop(done);
        });
    return done.future();
  }

  private void stop(Promise<Void> done) {
    stopped = true;
    timers.forEach(vertx::cancelTimer);
    if (tickTimer >= 0) {
      vertx.cancelTimer(tickTimer);
      tickTimer = -1;
    }
    context
        .executeBlocking(
            () -> {
              closeStorage(updateLog, checkpointStore, directory);
              return null;
            },
            false)
        .compose(ignored -> vertx.undeploy(deploymentId))
        .onComplete(result -> done.complete());
  }

  private static void closeStorage(
      UpdateLog log, CheckpointStore checkpoints, DataDirectory directory) {
    try {
      if (log != null) {
        log.close();
      }
    } finally {
      try {
        if (checkpoints != null) {
          checkpoints.close();
        }
      } finally {
        directory.close();
      }
    }
  }
}
