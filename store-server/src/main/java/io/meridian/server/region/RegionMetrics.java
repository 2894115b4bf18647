package io.meridian.server.region;

import io.meridian.replication.FrameVerdict;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A region's meters, all tagged {@code region=NAME}. Counters are bumped on the owner; gauges read
 * values the owner publishes after each step, so a scrape never touches the owner's state.
 */
final class RegionMetrics {
  private final MeterRegistry registry;
  private final String region;
  final Counter updatesAppliedLocal;
  final Counter updatesAppliedRemote;
  final Counter sessionWaits;
  final Counter sessionUnavailable;
  final Counter overloaded;

  /** Ready groups the update log refused because its append queue was full (offered again). */
  final Counter logOverloaded;

  final Counter malformedEffects;

  /** Local writes refused because too many changed keys wait for the checkpoint store. */
  final Counter checkpointBehind;

  final Timer commitLatency;
  final DistributionSummary updatesPerCommit;
  final Timer visibilityDelay;
  final AtomicLong deliveryBufferEntries = new AtomicLong();
  final AtomicLong logEntries = new AtomicLong();
  final AtomicLong clockAheadEvents = new AtomicLong();
  final AtomicLong keys = new AtomicLong();
  final AtomicLong framesSent = new AtomicLong();
  final AtomicLong entriesSent = new AtomicLong();
  final AtomicLong frameBytesSent = new AtomicLong();
  private final Map<FrameVerdict, AtomicLong> rejectedFrames = new EnumMap<>(FrameVerdict.class);
  private final Map<String, AtomicLong> peerLagEntries = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> peerLagMillis = new ConcurrentHashMap<>();
  final AtomicLong framesFromWrongSender = new AtomicLong();

  RegionMetrics(MeterRegistry registry, String region) {
    this.registry = registry;
    this.region = region;
    updatesAppliedLocal =
        Counter.builder("meridian.updates.applied")
            .tag("region", region)
            .tag("origin", "local")
            .register(registry);
    updatesAppliedRemote =
        Counter.builder("meridian.updates.applied")
            .tag("region", region)
            .tag("origin", "remote")
            .register(registry);
    sessionWaits =
        Counter.builder("meridian.session.waits").tag("region", region).register(registry);
    sessionUnavailable =
        Counter.builder("meridian.session.unavailable").tag("region", region).register(registry);
    overloaded = Counter.builder("meridian.overloaded").tag("region", region).register(registry);
    logOverloaded =
        Counter.builder("meridian.log.overloaded")
            .description("groups the update log refused for a full append queue, offered again")
            .tag("region", region)
            .register(registry);
    malformedEffects =
        Counter.builder("meridian.effects.malformed").tag("region", region).register(registry);
    checkpointBehind =
        Counter.builder("meridian.checkpoint.behind")
            .description(
                "writes answered overloaded because too many changed keys wait for the checkpoint")
            .tag("region", region)
            .register(registry);
    commitLatency =
        Timer.builder("meridian.commit.latency")
            .tag("region", region)
            .publishPercentiles(0.5, 0.99)
            .register(registry);
    updatesPerCommit =
        DistributionSummary.builder("meridian.commit.entries")
            .tag("region", region)
            .register(registry);
    visibilityDelay =
        Timer.builder("meridian.visibility.delay")
            .description(
                "from the origin stamping an entry to it becoming visible here, by the HLC's"
                    + " physical milliseconds (as exact as the clocks agree)")
            .tag("region", region)
            .publishPercentiles(0.5, 0.99)
            .register(registry);
    gauge("meridian.delivery.buffer.entries", deliveryBufferEntries);
    gauge("meridian.log.entries", logEntries);
    gauge("meridian.hlc.offset.events", clockAheadEvents);
    gauge("meridian.keys", keys);
    gauge("meridian.frames.wrong.sender", framesFromWrongSender);
    counter("meridian.frames.sent", "replication frames handed to the transport", framesSent);
    counter(
        "meridian.frames.entries.sent", "entries in those frames, each copy counted", entriesSent);
    counter("meridian.frames.bytes.sent", "bytes of those frames", frameBytesSent);
    for (FrameVerdict verdict : FrameVerdict.values()) {
      if (verdict != FrameVerdict.ACCEPTED) {
        AtomicLong value = new AtomicLong();
        rejectedFrames.put(verdict, value);
        Gauge.builder("meridian.frames.rejected", value, AtomicLong::get)
            .tag("region", region)
            .tag("reason", verdict.name().toLowerCase(java.util.Locale.ROOT))
            .register(registry);
      }
    }
  }

  /** The update log's own figures: queued appends, fsyncs, appends. */
  void registerLog(io.meridian.server.storage.UpdateLog log) {
    Gauge.builder(
            "meridian.log.queued.appends", log, io.meridian.server.storage.UpdateLog::queuedAppends)
        .description("appends waiting for the update log writer")
        .tag("region", region)
        .register(registry);
    io.micrometer.core.instrument.FunctionCounter.builder(
            "meridian.log.fsyncs", log, io.meridian.server.storage.UpdateLog::fsyncCount)
        .description("fsyncs of the update log")
        .tag("region", region)
        .register(registry);
    io.micrometer.core.instrument.FunctionCounter.builder(
            "meridian.log.appends", log, io.meridian.server.storage.UpdateLog::appendCount)
        .description("records appended to the update log")
        .tag("region", region)
        .register(registry);
  }

  private void counter(String name, String description, AtomicLong value) {
    io.micrometer.core.instrument.FunctionCounter.builder(name, value, AtomicLong::get)
        .description(description)
        .tag("region", region)
        .register(registry);
  }

  private void gauge(String name, AtomicLong value) {
    Gauge.builder(name, value, AtomicLong::get).tag("region", region).register(registry);
  }

  void publishRejected(Map<FrameVerdict, Long> counts) {
    for (Map.Entry<FrameVerdict, Long> count : counts.entrySet()) {
      AtomicLong value = rejectedFrames.get(count.getKey());
      if (value != null) {
        value.set(count.getValue());
      }
    }
  }

  void publishPeer(String peer, long lagEntries, long lagMillis) {
    peerLagEntries
        .computeIfAbsent(peer, name -> peerGauge("meridian.peer.lag.entries", name))
        .set(lagEntries);
    peerLagMillis
        .computeIfAbsent(peer, name -> peerGauge("meridian.peer.lag.millis", name))
        .set(lagMillis);
  }

  private AtomicLong peerGauge(String name, String peer) {
    AtomicLong value = new AtomicLong();
    Gauge.builder(name, value, AtomicLong::get)
        .tag("region", region)
        .tag("peer", peer)
        .register(registry);
    return value;
  }
}
