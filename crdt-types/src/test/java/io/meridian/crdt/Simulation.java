package io.meridian.crdt;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.clocks.CausalContext;
import io.meridian.clocks.Dot;
import io.meridian.clocks.VersionVector;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.Consumer;

/**
 * A seeded run of three replicas of one key: each replica makes updates from random requests and
 * delivers the others' log entries in a random causal order, exactly once, with every effect going
 * through its codec; sometimes a replica folds with a settled stable vector. A request may ask for
 * the context of an earlier read, made at any replica, as a client that moved between regions sends
 * (possibly older than a fold where it is used). Everything derives from the seed, so {@link
 * #reproduction()} is a one-line replay.
 */
final class Simulation {
  static final List<String> REPLICAS = List.of("a", "b", "c");

  /** Reads remembered for requests that carry the context of an earlier read; oldest go first. */
  static final int REMEMBERED_READS_MAX = 64;

  /**
   * One log entry: an update made at an origin, with what the origin had applied before it, and,
   * for a request that carried the context of an earlier read, what the reading replica had applied
   * (null: the request observed the origin's current state).
   */
  record Entry(
      Dot dot,
      VersionVector dependencies,
      Effect effect,
      JsonNode request,
      String id,
      VersionVector readApplied,
      long hlc) {
    boolean happenedBefore(Entry other) {
      return other.dependencies.contains(dot);
    }

    /** True when this update's client had seen {@code earlier}: it was read, or made, after it. */
    boolean observed(Entry earlier) {
      return earlier.happenedBefore(this)
          && (readApplied == null || readApplied.contains(earlier.dot()));
    }
  }

  /** A client's read at a replica: the context it returned and what the replica had applied. */
  record Read(CausalContext context, VersionVector applied) {}

  /** A stable vector with the join of the applied vectors that made it stable. */
  private record Snapshot(VersionVector stable, VersionVector joined) {}

  interface RequestGenerator {
    /** A request, and an operation id or null. */
    Request next(Random random, CrdtState current);
  }

  /**
   * A request.
   *
   * @param body the JSON request
   * @param id the operation id, or null
   * @param withEarlierRead true to send, sometimes, the context of an earlier read at any replica
   */
  record Request(JsonNode body, String id, boolean withEarlierRead) {
    Request(JsonNode body, String id) {
      this(body, id, false);
    }
  }

  final CrdtType type;
  final long seed;
  final Random random;
  final CrdtState[] states = new CrdtState[REPLICAS.size()];
  final VersionVector[] applied = new VersionVector[REPLICAS.size()];
  final List<Entry> log = new ArrayList<>();

  /**
   * The op ids each replica has applied. The state forgets an id once it is stable everywhere; the
   * server keeps its own table of applied ids for the retention period (24 hours), which is what
   * stops a retry after that point. This models that table.
   */
  private final List<java.util.Set<String>> appliedIds =
      List.of(new java.util.HashSet<>(), new java.util.HashSet<>(), new java.util.HashSet<>());

  private final List<Snapshot> snapshots = new ArrayList<>();
  private final List<Read> reads = new ArrayList<>();

  /**
   * With {@link #foldEagerly}: what the last replica would hold had it never folded; it applies
   * every entry that replica applies, in the same order.
   */
  CrdtState unfoldedShadow;

  /**
   * True to take a stable vector after every step and have the last replica fold with the newest
   * one settled there each time, as a region whose acknowledgements are always fresh would. Draws
   * nothing from the seed.
   */
  boolean foldEagerly;

  Consumer<Step> stepCheck = step -> {};

  /**
   * True to send each request that carries an op id as a client's sequence instead, one client per
   * op id: the client numbers its updates, sends the next only once the last is acknowledged (an
   * acknowledgement is lost now and then, and the client sends the same update again, at any
   * replica), carries its session to where it writes (monotonic writes: a replica that has not
   * applied the client's acknowledged updates does not take its request), and a network duplicate
   * of an older acknowledged update arrives now and then. Nothing but the states keeps these ids:
   * there is no table of them as there is of op ids. {@link CrdtLaws} sets it for odd seeds.
   */
  boolean clientSequences;

  /**
   * True for hybrid logical clocks: an entry's timestamp is above every timestamp its origin has
   * applied (by 1 to 50), as a region's HLC makes it; the or-map's folding of field counters relies
   * on it. False: arbitrary timestamps (0 to 49), since S6 must hold whatever the clocks say. Draws
   * the same numbers from the seed either way.
   */
  boolean causalClocks;

  /** With {@link #causalClocks}: the newest timestamp each replica has applied or made. */
  private final long[] clocks = new long[REPLICAS.size()];

  private final java.util.Map<String, Client> clients = new java.util.TreeMap<>();

  /** What a client of {@link #clientSequences} sent, with the session it carried. */
  private record Sent(long sequence, JsonNode body, VersionVector session) {}

  /** One client of {@link #clientSequences}. */
  private static final class Client {
    VersionVector session = VersionVector.empty();
    long acknowledged;
    Sent pending;
    final List<Sent> acknowledgedUpdates = new ArrayList<>();
  }

  /** What one apply did, for law checks. */
  record Step(CrdtType type, CrdtState before, Effect effect, Dot dot, CrdtState after) {}

  Simulation(CrdtType type, long seed) {
    this.type = type;
    this.seed = seed;
    this.random = new Random(seed);
    for (int i = 0; i < states.length; i++) {
      states[i] = type.empty();
      applied[i] = VersionVector.empty();
    }
  }

  String reproduction() {
    return "reproduce: new Simulation(CrdtRegistry.type(\""
        + type.name()
        + "\"), "
        + seed
        + "L)"
        + (clientSequences ? " with clientSequences" : "")
        + (causalClocks
            ? " and causalClocks, CrdtRegistry.configureContextExpiryHlc("
                + CrdtRegistry.contextExpiryHlc()
                + ")"
            : "")
        + " and the same generator";
  }

  /** Runs {@code steps} random steps: updates, deliveries, snapshots and folds. */
  Simulation run(RequestGenerator generator, int steps, boolean folds) {
    if (foldEagerly && unfoldedShadow == null) {
      unfoldedShadow = states[states.length - 1];
    }
    for (int step = 0; step < steps; step++) {
      if (foldEagerly) {
        snapshot();
        foldSettled(states.length - 1);
      }
      int replica = random.nextInt(states.length);
      int choice = random.nextInt(10);
      if (choice < 4) {
        update(replica, generator.next(random, states[replica]));
      } else if (choice < 8 || !folds) {
        deliverOne(replica);
      } else if (choice == 8) {
        snapshot();
      } else {
        foldSettled(replica);
      }
    }
    return this;
  }

  /** One of the remembered reads, drawn from the seed; there is one after the first apply. */
  Read earlierRead() {
    return reads.get(random.nextInt(reads.size()));
  }

  /**
   * The next request of {@code generator} that asks for an earlier read's context, or empty if it
   * made none in {@code draws} draws.
   */
  Optional<Request> nextWithEarlierRead(RequestGenerator generator, int replica, int draws) {
    for (int draw = 0; draw < draws; draw++) {
      Request request = generator.next(random, states[replica]);
      if (request.withEarlierRead()) {
        return Optional.of(request);
      }
    }
    return Optional.empty();
  }

  void update(int replica, Request request) {
    if (clientSequences && request.id() != null) {
      clientUpdate(replica, request);
      return;
    }
    if (request.id() != null && appliedIds.get(replica).contains(request.id())) {
      return;
    }
    Operation operation = CrdtRegistry.parseUpdate(request.body());
    Dot dot = new Dot(REPLICAS.get(replica), applied[replica].get(REPLICAS.get(replica)) + 1);
    // Clocks are arbitrary here unless causal on purpose: S6 must hold whatever they say.
    long hlc = timestamp(replica);
    UpdateContext context = UpdateContext.of(dot, hlc).withOperationId(request.id());
    Read read = null;
    if (request.withEarlierRead() && !reads.isEmpty() && random.nextBoolean()) {
      read = earlierRead();
      context = context.withObserved(read.context());
    }
    Optional<Effect> effect;
    try {
      effect = type.prepare(states[replica], operation, context);
    } catch (CrdtRequestException rejected) {
      return;
    }
    if (effect.isEmpty()) {
      return;
    }
    Entry entry =
        new Entry(
            dot,
            applied[replica],
            effect.get(),
            request.body(),
            request.id(),
            read == null ? null : read.applied(),
            hlc);
    log.add(entry);
    apply(replica, entry);
  }

  private void clientUpdate(int replica, Request request) {
    String name = request.id().replaceAll("[^A-Za-z0-9_-]", "_");
    Client client = clients.computeIfAbsent(name, any -> new Client());
    Sent sent;
    if (client.pending != null) {
      sent = client.pending;
    } else if (!client.acknowledgedUpdates.isEmpty() && random.nextInt(4) == 0) {
      // A network duplicate of an update acknowledged long ago, with the session it had then.
      sent = client.acknowledgedUpdates.get(random.nextInt(client.acknowledgedUpdates.size()));
    } else {
      sent = new Sent(client.acknowledged + 1, request.body(), client.session);
      client.pending = sent;
    }
    if (!applied[replica].dominates(sent.session())) {
      return;
    }
    ClientSequence sequence = new ClientSequence(name, sent.sequence());
    Dot dot = new Dot(REPLICAS.get(replica), applied[replica].get(REPLICAS.get(replica)) + 1);
    long hlc = timestamp(replica);
    UpdateContext context = UpdateContext.of(dot, hlc).withClientSequence(sequence);
    Optional<Effect> effect;
    try {
      effect = type.prepare(states[replica], CrdtRegistry.parseUpdate(sent.body()), context);
    } catch (CrdtRequestException rejected) {
      return;
    }
    if (effect.isPresent()) {
      Entry entry =
          new Entry(
              dot, applied[replica], effect.get(), sent.body(), sequence.operationId(), null, hlc);
      log.add(entry);
      apply(replica, entry);
    }
    if (sent == client.pending && random.nextBoolean()) {
      client.acknowledged = sent.sequence();
      client.acknowledgedUpdates.add(sent);
      client.session = client.session.merge(applied[replica]);
      client.pending = null;
    }
  }

  /** The timestamp of an entry {@code replica} makes now (one draw from the seed). */
  private long timestamp(int replica) {
    long drawn = random.nextInt(50);
    return causalClocks ? clocks[replica] + 1 + drawn : drawn;
  }

  private void apply(int replica, Entry entry) {
    clocks[replica] = Math.max(clocks[replica], entry.hlc());
    Effect decoded = CrdtRegistry.decodeEffect(CrdtRegistry.encodeEffect(entry.effect()));
    CrdtState before = states[replica];
    CrdtState after = type.apply(before, decoded, entry.dot());
    if (foldEagerly && replica == states.length - 1) {
      unfoldedShadow = type.apply(unfoldedShadow, decoded, entry.dot());
    }
    stepCheck.accept(new Step(type, before, decoded, entry.dot(), after));
    states[replica] = after;
    if (entry.id() != null && ClientSequence.fromOperationId(entry.id()) == null) {
      appliedIds.get(replica).add(entry.id());
    }
    applied[replica] = applied[replica].with(entry.dot().replica(), entry.dot().counter());
    if (reads.size() == REMEMBERED_READS_MAX) {
      reads.remove(0);
    }
    reads.add(new Read(type.observedContext(after), applied[replica]));
  }

  List<Entry> deliverable(int replica, VersionVector vector) {
    List<Entry> ready = new ArrayList<>();
    for (Entry entry : log) {
      if (!vector.contains(entry.dot())
          && vector.get(entry.dot().replica()) == entry.dot().counter() - 1
          && vector.dominates(entry.dependencies())) {
        ready.add(entry);
      }
    }
    return ready;
  }

  boolean deliverOne(int replica) {
    List<Entry> ready = deliverable(replica, applied[replica]);
    if (ready.isEmpty()) {
      return false;
    }
    apply(replica, ready.get(random.nextInt(ready.size())));
    return true;
  }

  void deliverAll() {
    for (int replica = 0; replica < states.length; replica++) {
      while (deliverOne(replica)) {
        // keep delivering
      }
    }
  }

  void snapshot() {
    VersionVector meet = applied[0];
    VersionVector join = applied[0];
    for (VersionVector vector : applied) {
      meet = meet.meet(vector);
      join = join.merge(vector);
    }
    snapshots.add(new Snapshot(meet, join));
  }

  /** Folds with the newest stable vector that is settled at {@code replica}. */
  void foldSettled(int replica) {
    for (int i = snapshots.size() - 1; i >= 0; i--) {
      Snapshot snapshot = snapshots.get(i);
      if (applied[replica].dominates(snapshot.joined())) {
        fold(replica, snapshot.stable());
        return;
      }
    }
  }

  void fold(int replica, VersionVector stable) {
    CrdtState before = states[replica];
    CrdtState after = type.fold(before, stable);
    if (!type.value(after).equals(type.value(before))) {
      throw new AssertionError(
          "fold changed the value: "
              + type.value(before)
              + " -> "
              + type.value(after)
              + "; "
              + reproduction());
    }
    if (type.observedContext(after).cloud().size() > type.observedContext(before).cloud().size()) {
      throw new AssertionError("fold grew the context's cloud; " + reproduction());
    }
    states[replica] = after;
  }

  /** Replays the whole log at a fresh replica in another random causal order. */
  CrdtState replayInRandomOrder(Random order, boolean duplicateDeltas) {
    CrdtState state = type.empty();
    VersionVector vector = VersionVector.empty();
    while (true) {
      List<Entry> ready = deliverable(0, vector);
      if (ready.isEmpty()) {
        return state;
      }
      Entry entry = ready.get(order.nextInt(ready.size()));
      state = type.apply(state, entry.effect(), entry.dot());
      if (duplicateDeltas && entry.effect() instanceof DeltaEffect && order.nextBoolean()) {
        CrdtState again = type.apply(state, entry.effect(), entry.dot());
        if (!again.equals(state)) {
          throw new AssertionError("a duplicate delta changed the state; " + reproduction());
        }
      }
      vector = vector.with(entry.dot().replica(), entry.dot().counter());
    }
  }

  VersionVector fullVector() {
    VersionVector vector = VersionVector.empty();
    for (VersionVector each : applied) {
      vector = vector.merge(each);
    }
    return vector;
  }

  /** The log entries applied at {@code replica}, in log order. */
  List<Entry> history(int replica) {
    List<Entry> history = new ArrayList<>();
    for (Entry entry : log) {
      if (applied[replica].contains(entry.dot())) {
        history.add(entry);
      }
    }
    return Collections.unmodifiableList(history);
  }
}
