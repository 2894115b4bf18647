package io.meridian.benchmarks.sdk;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Props;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.ddata.DistributedData;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.PNCounter;
import org.apache.pekko.cluster.ddata.PNCounterKey;
import org.apache.pekko.cluster.ddata.Replicator;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.pattern.Patterns;

/**
 * The comparison of issue 11: Pekko Distributed Data's counter in one process. Three cluster nodes
 * (actor systems on loopback, Artery TCP) share one {@code PNCounter}; one node's replicator takes
 * {@code n} increments of 1 with {@code WriteLocal}, each acknowledged ({@code UpdateSuccess}) to
 * the actor that sent it; then every node is read ({@code ReadLocal}) until it shows {@code n}.
 *
 * <p>Two figures: the rate at which the increments were acknowledged locally (what an application
 * waiting for each {@code UpdateSuccess} gets), and the rate until all three nodes showed all of
 * them (gossip and delta propagation included). Each with this process's CPU time per increment.
 * Nothing here is durable (Pekko's counter lives in memory; Meridian's regions fsync their log).
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.meridian.benchmarks.sdk.PekkoCounterFigures [n]
 * </pre>
 */
public final class PekkoCounterFigures {
  private static final Key<PNCounter> KEY = PNCounterKey.create("counter");
  private static final int NODES = 3;

  private static final com.sun.management.OperatingSystemMXBean SYSTEM =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private PekkoCounterFigures() {}

  /**
   * Measures and prints the figures.
   *
   * @param args {@code [n]}: increments per run (200,000 by default)
   * @throws Exception when the cluster does not form or a node never shows every increment
   */
  public static void main(String[] args) throws Exception {
    int increments = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    if (increments < 1) {
      System.err.println("usage: PekkoCounterFigures [n>0]");
      System.exit(2);
    }
    System.out.printf(
        "PekkoCounterFigures: %d increments; %d cores, load average %.2f at the start%n",
        increments, Runtime.getRuntime().availableProcessors(), SYSTEM.getSystemLoadAverage());
    run(increments);
  }

  /**
   * Starts three nodes, runs a warm-up of a tenth of {@code increments} and then the measured run,
   * printing both figures of the measured run, and stops the nodes.
   *
   * @param increments the increments of the measured run
   * @throws Exception when the cluster does not form or a node never shows every increment
   */
  static void run(int increments) throws Exception {
    List<ActorSystem> nodes = startCluster();
    try {
      long warmUp = Math.max(1, increments / 10);
      increment(nodes, warmUp, 0, false);
      increment(nodes, increments, warmUp, true);
    } finally {
      for (ActorSystem node : nodes) {
        node.terminate();
      }
      for (ActorSystem node : nodes) {
        node.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    }
  }

  private static List<ActorSystem> startCluster() throws InterruptedException {
    Config config =
        ConfigFactory.parseString(
                """
                pekko.actor.provider = cluster
                pekko.remote.artery.canonical.hostname = "127.0.0.1"
                pekko.remote.artery.canonical.port = 0
                pekko.loglevel = ERROR
                pekko.log-dead-letters = off
                pekko.cluster.jmx.enabled = off
                pekko.cluster.log-info = off
                """)
            .withFallback(ConfigFactory.load());
    List<ActorSystem> nodes = new ArrayList<>();
    for (int i = 0; i < NODES; i++) {
      nodes.add(ActorSystem.create("ddata", config));
    }
    var seed = Cluster.get(nodes.get(0)).selfAddress();
    nodes.forEach(node -> Cluster.get(node).join(seed));
    long deadline = System.currentTimeMillis() + 60_000;
    for (ActorSystem node : nodes) {
      while (upMembers(node) < NODES) {
        if (System.currentTimeMillis() > deadline) {
          throw new IllegalStateException("the three nodes did not form a cluster in 60 s");
        }
        Thread.sleep(50);
      }
    }
    return nodes;
  }

  private static long upMembers(ActorSystem node) {
    long up = 0;
    for (var member : Cluster.get(node).state().getMembers()) {
      if (member.status().equals(MemberStatus.up())) {
        up++;
      }
    }
    return up;
  }

  private static void increment(
      List<ActorSystem> nodes, long increments, long before, boolean print) throws Exception {
    ActorSystem writer = nodes.get(0);
    CompletableFuture<Void> acknowledged = new CompletableFuture<>();
    long cpuStarted = SYSTEM.getProcessCpuTime();
    long started = System.nanoTime();
    ActorRef sender =
        writer.actorOf(
            Props.create(Incrementer.class, () -> new Incrementer(increments, acknowledged)));
    acknowledged.get(10, TimeUnit.MINUTES);
    long localNanos = System.nanoTime() - started;
    long localCpu = SYSTEM.getProcessCpuTime() - cpuStarted;
    long expected = before + increments;
    for (ActorSystem node : nodes) {
      awaitValue(node, expected);
    }
    long allNanos = System.nanoTime() - started;
    long allCpu = SYSTEM.getProcessCpuTime() - cpuStarted;
    writer.stop(sender);
    if (print) {
      print(
          "Pekko PNCounter increments acknowledged locally (WriteLocal)",
          increments,
          localNanos,
          localCpu);
      print("Pekko PNCounter increments shown by all three nodes", increments, allNanos, allCpu);
    }
  }

  private static void awaitValue(ActorSystem node, long expected) throws Exception {
    ActorRef replicator = DistributedData.get(node).replicator();
    long deadline = System.currentTimeMillis() + 120_000;
    long value = -1;
    while (System.currentTimeMillis() < deadline) {
      CompletionStage<Object> answer =
          Patterns.ask(
              replicator,
              new Replicator.Get<>(KEY, Replicator.readLocal()),
              Duration.ofSeconds(10));
      Object reply = answer.toCompletableFuture().get(15, TimeUnit.SECONDS);
      if (reply instanceof Replicator.GetSuccess<?> success) {
        value = ((PNCounter) success.dataValue()).getValue().longValueExact();
        if (value == expected) {
          return;
        }
        if (value > expected) {
          break;
        }
      }
      Thread.sleep(1);
    }
    throw new IllegalStateException("a node shows " + value + " increments, not " + expected);
  }

  private static void print(String what, long count, long nanos, long cpuNanos) {
    System.out.printf(
        "%s: %,d in %.2f s, %,.0f/s, %,.1f us CPU each (load average %.2f)%n",
        what,
        count,
        nanos / 1e9,
        count / (nanos / 1e9),
        cpuNanos / 1e3 / count,
        SYSTEM.getSystemLoadAverage());
  }

  /** Sends its increments to its node's replicator and completes once each was acknowledged. */
  static final class Incrementer extends AbstractActor {
    private final long increments;
    private final CompletableFuture<Void> acknowledged;
    private final SelfUniqueAddress self;
    private final ActorRef replicator;
    private long answered;

    Incrementer(long increments, CompletableFuture<Void> acknowledged) {
      this.increments = increments;
      this.acknowledged = acknowledged;
      this.self = DistributedData.get(getContext().getSystem()).selfUniqueAddress();
      this.replicator = DistributedData.get(getContext().getSystem()).replicator();
    }

    @Override
    public void preStart() {
      Replicator.Update<PNCounter> update =
          new Replicator.Update<>(
              KEY,
              PNCounter.create(),
              Replicator.writeLocal(),
              counter -> counter.increment(self, 1));
      for (long i = 0; i < increments; i++) {
        replicator.tell(update, getSelf());
      }
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder()
          .match(
              Replicator.UpdateSuccess.class,
              success -> {
                if (++answered == increments) {
                  acknowledged.complete(null);
                }
              })
          .matchAny(
              other ->
                  acknowledged.completeExceptionally(
                      new IllegalStateException("the replicator answered " + other)))
          .build();
    }
  }
}
