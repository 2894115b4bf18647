package io.meridian.benchmarks.geo;

import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The emulated network of one directed link between two regions (bytes from {@link #from()} to
 * {@link #to()}): one-way delay with jitter, a bandwidth cap, loss emulated as a retransmission
 * stall, and partitions that hold bytes or drop connections. The proxies read it on every chunk, so
 * a fault injected here takes effect at once. Thread-safe.
 *
 * <p>TCP never loses bytes in the middle of a stream: a lost segment is sent again after a
 * retransmission timeout. So loss here delays a chunk by {@link #lossStallMillis()} with
 * probability {@link #lossProbability()} (keeping order), and a partition either holds bytes until
 * it heals ({@code HOLD}, a silent network) or closes every connection and refuses new ones ({@code
 * DROP}, a reset or a routing failure).
 */
public final class WanLink {
  /** What a partition does to the link's bytes. */
  public enum Partition {
    /** Bytes flow. */
    NONE,
    /** Bytes wait in the proxy until the partition heals (bounded by the proxy's queue). */
    HOLD,
    /** Connections carrying the link are closed and new ones refused. */
    DROP
  }

  private final String from;
  private final String to;
  private final Random random;
  private volatile long delayMillis;
  private volatile long jitterMillis;
  private volatile long bytesPerSecondMax;
  private volatile double lossProbability;
  private volatile long lossStallMillis = 200;
  private volatile Partition partition = Partition.NONE;
  private final AtomicLong bytesForwarded = new AtomicLong();
  private final AtomicLong dropEpoch = new AtomicLong();

  /**
   * A link without delay, loss or partition.
   *
   * @param from the region whose bytes the link carries
   * @param to the region they go to
   * @param seed seeds the jitter and loss draws
   */
  public WanLink(String from, String to, long seed) {
    this.from = from;
    this.to = to;
    this.random = new Random(seed);
  }

  /**
   * @return the sending region
   */
  public String from() {
    return from;
  }

  /**
   * @return the receiving region
   */
  public String to() {
    return to;
  }

  /**
   * Sets the one-way delay and its jitter (uniform in [-jitter, +jitter], never below zero).
   *
   * @param delayMillis one-way delay
   * @param jitterMillis jitter bound
   */
  public void delay(long delayMillis, long jitterMillis) {
    this.delayMillis = delayMillis;
    this.jitterMillis = jitterMillis;
  }

  /**
   * @return the one-way delay in milliseconds
   */
  public long delayMillis() {
    return delayMillis;
  }

  /**
   * Caps the link's bandwidth.
   *
   * @param bytesPerSecondMax bytes per second, 0 for no cap
   */
  public void bandwidth(long bytesPerSecondMax) {
    this.bytesPerSecondMax = bytesPerSecondMax;
  }

  /**
   * @return the bandwidth cap in bytes per second, 0 when uncapped
   */
  public long bytesPerSecondMax() {
    return bytesPerSecondMax;
  }

  /**
   * Sets the emulated loss.
   *
   * @param probability chance that a chunk waits for a retransmission
   * @param stallMillis how long it waits
   */
  public void loss(double probability, long stallMillis) {
    this.lossProbability = probability;
    this.lossStallMillis = stallMillis;
  }

  /**
   * @return the chance that a chunk waits for an emulated retransmission
   */
  public double lossProbability() {
    return lossProbability;
  }

  /**
   * @return how long an emulated retransmission waits
   */
  public long lossStallMillis() {
    return lossStallMillis;
  }

  /**
   * Starts or heals a partition of this direction.
   *
   * @param partition the new state
   */
  public void partition(Partition partition) {
    if (partition == Partition.DROP) {
      dropEpoch.incrementAndGet();
    }
    this.partition = partition;
  }

  /**
   * @return the current partition state
   */
  public Partition partition() {
    return partition;
  }

  /**
   * @return a counter that grows on every DROP, so a connection can tell it was cut
   */
  long dropEpoch() {
    return dropEpoch.get();
  }

  /**
   * @return bytes forwarded over this direction so far
   */
  public long bytesForwarded() {
    return bytesForwarded.get();
  }

  void forwarded(int bytes) {
    bytesForwarded.addAndGet(bytes);
  }

  /** The extra delay of one chunk: jitter, plus a retransmission stall if it is "lost". */
  synchronized long drawExtraMillis() {
    long extra = 0;
    if (jitterMillis > 0) {
      extra += (long) ((random.nextDouble() * 2 - 1) * jitterMillis);
    }
    if (lossProbability > 0 && random.nextDouble() < lossProbability) {
      extra += lossStallMillis;
    }
    return extra;
  }

  @Override
  public String toString() {
    return from + "->" + to;
  }
}
