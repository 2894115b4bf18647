package io.meridian.replication.simulation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.clocks.CausalContext;
import io.meridian.clocks.Dot;
import io.meridian.clocks.VersionVector;
import io.meridian.crdt.ClientSequence;
import io.meridian.crdt.CrdtRegistry;
import io.meridian.crdt.CrdtState;
import io.meridian.crdt.CrdtType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The CRDT workload of the simulator: client requests of every type of the API's table, as JSON
 * bodies that go through {@link CrdtRegistry#parseUpdate} like the server's. Each key holds one
 * type (a rotation drawn from the seed, so hot keys change type between seeds); or-map updates nest
 * counters, sets, registers, lists and a second map; list inserts and deletes use indexes valid for
 * the list as the region shows it. Some requests carry an operation id, and some of those are
 * retried later at whichever region the client reaches (S4); some removes carry the context of an
 * earlier read of the key, which may have been made at another region.
 *
 * <p>Contexts of earlier reads are used in every run, also where regions fold during the run (a
 * remove's context may then be older than a fold at the region that applies it). {@code
 * -Dsimulation.contextsWithFolds=false} uses them only in runs without folds, as before crdt-types
 * fixed the divergence they caused; the random draws are the same either way.
 *
 * <p>In runs with client sequences every other request that would carry an operation id carries a
 * client sequence instead, as a client that numbers its updates does: each region has a few such
 * clients, a client sends its next update at its region only once its last one is there
 * (acknowledged, so monotonic writes hold too), and its requests are retried like those with an
 * operation id, at any region, at any later time. No table remembers client sequences; the states
 * alone must answer their retries, before and after the fold.
 *
 * <p>It also computes what the checks compare against: a ledger of counter increments (each
 * operation id or client sequence counted once) and of grow-only set additions.
 */
final class CrdtWorkload {
  static final List<String> TYPE_NAMES =
      List.of(
          "g-counter",
          "pn-counter",
          "lww-register",
          "mv-register",
          "ew-flag",
          "g-set",
          "aw-set",
          "rw-set",
          "or-map",
          "list");

  /** Requests with an operation id the workload remembers for retries; the oldest go first. */
  static final int REMEMBERED_REQUESTS_MAX = 64;

  /** Clients that number their updates, per region, in runs with client sequences. */
  static final int SEQUENCED_CLIENTS_PER_REGION = 3;

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final List<String> GROW_ONLY_ELEMENTS = List.of("a", "b", "c", "d", "e");
  private static final List<JsonNode> SET_ELEMENTS =
      List.of(
          JSON.textNode("a"),
          JSON.textNode("b"),
          JSON.numberNode(1),
          JSON.numberNode(2),
          JSON.booleanNode(true));

  /** The nested fields of an or-map key: name and type. */
  private static final Map<String, String> MAP_FIELDS =
      Map.of(
          "hits", "g-counter",
          "tags", "aw-set",
          "name", "lww-register",
          "items", "list",
          "inner", "or-map");

  private static final Map<String, String> INNER_FIELDS =
      Map.of("count", "pn-counter", "flag", "ew-flag", "items", "list");

  /**
   * One key update as a client asked it.
   *
   * @param bucket the bucket
   * @param key the key
   * @param typeName the API type
   * @param body the request, {@code {"type", "op", ...}}
   * @param operationId the client's operation id, or null
   * @param observed the context of an earlier read of the key, or null
   * @param clientSequence the client's sequence, or null
   */
  record Request(
      String bucket,
      String key,
      String typeName,
      ObjectNode body,
      String operationId,
      CausalContext observed,
      ClientSequence clientSequence) {
    String keyName() {
      return SimulatedApplication.keyName(bucket, key);
    }

    /** What makes a retry the same update: the operation id or the client sequence, or null. */
    String identity() {
      if (operationId != null) {
        return operationId;
      }
      return clientSequence == null
          ? null
          : "client " + clientSequence.client() + " #" + clientSequence.sequence();
    }

    /** The signed amount of a counter increment or decrement. */
    long amount() {
      long by = body.get("by").asLong();
      return body.get("op").asText().equals("decrement") ? -by : by;
    }
  }

  private final int typeRotation;
  private final double operationIdProbability;
  private final double retryProbability;
  private final double observedProbability;
  private final List<Request> remembered = new ArrayList<>();
  private final Map<String, Read> reads = new HashMap<>();
  private final boolean contexts;

  /** A client's read of a key: the context it returned and what its region had applied. */
  private record Read(CausalContext observed, VersionVector applied) {}

  private long operationIds;

  private final boolean clientSequences;

  /** A client that numbers its updates: its last sequence and the entry that carried it. */
  private static final class SequencedClient {
    final String name;
    long sequence;
    Dot last;

    SequencedClient(String name) {
      this.name = name;
    }
  }

  private final Map<String, List<SequencedClient>> sequencedClients = new HashMap<>();

  /**
   * @param random the workload's own random source, from the seed
   * @param folding true when regions fold their states during the run
   * @param clientSequences true to send some updates with client sequences
   */
  CrdtWorkload(SplittableRandom random, boolean folding, boolean clientSequences) {
    this.clientSequences = clientSequences;
    this.contexts =
        !folding
            || Boolean.parseBoolean(System.getProperty("simulation.contextsWithFolds", "true"));
    this.typeRotation = random.nextInt(TYPE_NAMES.size());
    this.operationIdProbability = pick(random, 0.1, 0.3, 0.6);
    this.retryProbability = pick(random, 0.05, 0.2, 0.4);
    this.observedProbability = pick(random, 0.0, 0.3, 0.7);
  }

  /** The type a key holds. */
  String typeOf(int key) {
    return TYPE_NAMES.get((key + typeRotation) % TYPE_NAMES.size());
  }

  /**
   * A request to retry, at whichever region the client reached: one made earlier with an operation
   * id; or null.
   */
  Request retry(SplittableRandom random) {
    if (remembered.isEmpty() || random.nextDouble() >= retryProbability) {
      return null;
    }
    return remembered.get(random.nextInt(remembered.size()));
  }

  /** The client read the key: its context may come with a later remove, at any region. */
  void read(String keyName, CausalContext observed, VersionVector applied) {
    reads.put(keyName, new Read(observed, applied));
  }

  /**
   * A fresh request at {@code region} for a key whose state there is {@code current} (null: no
   * update visible). {@code unique} is a text no other request uses, for the value of an
   * assignment. A client sequence goes to a client of the region whose last update {@code
   * acknowledged} says is there (given the entry that carried it), and which {@link #sent} no
   * update of the entry being made yet.
   */
  Request next(
      SplittableRandom random,
      String bucket,
      String key,
      String typeName,
      CrdtState current,
      String unique,
      String region,
      Predicate<Dot> acknowledged) {
    JsonNode value = current == null ? null : CrdtRegistry.typeOf(current).value(current);
    ObjectNode body = operation(random, typeName, value, unique, 0);
    String keyName = SimulatedApplication.keyName(bucket, key);
    CausalContext observed = null;
    if (usesObservedContext(body) && random.nextDouble() < observedProbability) {
      Read read = reads.get(keyName);
      if (read != null && contexts) {
        observed = read.observed();
      }
    }
    String id = null;
    ClientSequence sequence = null;
    if (random.nextDouble() < operationIdProbability) {
      SequencedClient client =
          clientSequences && operationIds % 2 == 1 ? readyClient(region, acknowledged) : null;
      if (client != null) {
        client.sequence++;
        sequence = new ClientSequence(client.name, client.sequence);
      } else {
        id = "op-" + operationIds;
      }
      operationIds++;
    }
    Request request = new Request(bucket, key, typeName, body, id, observed, sequence);
    if (request.identity() != null) {
      if (remembered.size() == REMEMBERED_REQUESTS_MAX) {
        remembered.remove(0);
      }
      remembered.add(request);
    }
    return request;
  }

  /** A client of {@code region} whose last update is acknowledged, or null. */
  private SequencedClient readyClient(String region, Predicate<Dot> acknowledged) {
    List<SequencedClient> clients =
        sequencedClients.computeIfAbsent(
            region,
            name -> {
              List<SequencedClient> made = new ArrayList<>();
              for (int i = 0; i < SEQUENCED_CLIENTS_PER_REGION; i++) {
                made.add(new SequencedClient(name + "-client-" + i));
              }
              return made;
            });
    for (SequencedClient client : clients) {
      if (client.last == null || acknowledged.test(client.last)) {
        return client;
      }
    }
    return null;
  }

  /**
   * The fresh request {@code request} goes out in the entry {@code entry}: a client that numbers
   * its updates waits until that entry is acknowledged before it sends its next one.
   */
  void sent(Request request, Dot entry) {
    if (request.clientSequence() == null) {
      return;
    }
    for (List<SequencedClient> clients : sequencedClients.values()) {
      for (SequencedClient client : clients) {
        if (client.name.equals(request.clientSequence().client())) {
          client.last = entry;
        }
      }
    }
  }

  /**
   * True for the ops that remove what was observed. Not the lww-register's assign: with the context
   * of a read made elsewhere it could drop an assignment the client never saw, and the S6 check is
   * about which assignment wins, not about what was dropped.
   */
  private static boolean usesObservedContext(ObjectNode body) {
    String type = body.get("type").asText();
    String op = body.get("op").asText();
    return switch (type) {
      case "aw-set", "rw-set", "or-map" -> op.equals("remove");
      case "mv-register" -> true;
      case "ew-flag" -> op.equals("disable");
      default -> false;
    };
  }

  private static ObjectNode operation(
      SplittableRandom random, String typeName, JsonNode value, String unique, int depth) {
    ObjectNode body = JSON.objectNode();
    body.put("type", typeName);
    switch (typeName) {
      case "g-counter" -> body.put("op", "increment").put("by", random.nextInt(6));
      case "pn-counter" ->
          body.put("op", random.nextBoolean() ? "increment" : "decrement")
              .put("by", random.nextInt(6));
      case "lww-register" -> body.put("op", "assign").put("value", unique);
      case "mv-register" -> body.put("op", "assign").put("value", "v" + random.nextInt(4));
      case "ew-flag" -> body.put("op", random.nextInt(3) == 0 ? "disable" : "enable");
      case "g-set" -> {
        body.put("op", "add");
        ArrayNode elements = body.putArray("elements");
        for (int i = 1 + random.nextInt(2); i > 0; i--) {
          elements.add(GROW_ONLY_ELEMENTS.get(random.nextInt(GROW_ONLY_ELEMENTS.size())));
        }
      }
      case "aw-set", "rw-set" -> {
        body.put("op", random.nextInt(3) == 0 ? "remove" : "add");
        ArrayNode elements = body.putArray("elements");
        for (int i = 1 + random.nextInt(2); i > 0; i--) {
          elements.add(SET_ELEMENTS.get(random.nextInt(SET_ELEMENTS.size())));
        }
      }
      case "list" -> listOperation(random, body, value == null ? 0 : value.size());
      case "or-map" -> mapOperation(random, body, value, unique, depth);
      default -> throw new IllegalArgumentException("no workload for " + typeName);
    }
    return body;
  }

  /** An insert at a valid index, or a delete of items that are there. */
  private static void listOperation(SplittableRandom random, ObjectNode body, int size) {
    if (size == 0 || random.nextInt(3) != 0) {
      body.put("op", "insert").put("index", random.nextInt(size + 1));
      ArrayNode values = body.putArray("values");
      for (int i = 1 + random.nextInt(2); i > 0; i--) {
        values.add(random.nextInt(100));
      }
      return;
    }
    int index = random.nextInt(size);
    body.put("op", "delete").put("index", index).put("count", 1 + random.nextInt(size - index));
  }

  private static void mapOperation(
      SplittableRandom random, ObjectNode body, JsonNode value, String unique, int depth) {
    Map<String, String> fields = depth == 0 ? MAP_FIELDS : INNER_FIELDS;
    List<String> names = new ArrayList<>(new TreeSet<>(fields.keySet()));
    if (random.nextInt(4) == 0) {
      body.put("op", "remove");
      body.putArray("fields").add(names.get(random.nextInt(names.size())));
      return;
    }
    body.put("op", "update");
    ObjectNode entries = body.putObject("entries");
    for (int i = 1 + random.nextInt(2); i > 0; i--) {
      String field = names.get(random.nextInt(names.size()));
      JsonNode fieldValue = value == null ? null : value.get(field);
      entries.set(
          field, operation(random, fields.get(field), fieldValue, unique + "." + field, depth + 1));
    }
  }

  // ------------------------------------------------------------ what the checks compare against

  /**
   * The value every top-level counter must show: the sum of the surviving increments, an operation
   * id counted once wherever and however often it was applied (S4).
   */
  static Map<String, Long> expectedCounters(Iterable<Truth.Made> surviving) {
    Map<String, Long> sums = new HashMap<>();
    Map<String, Map<String, Long>> byOperationId = new HashMap<>();
    for (Truth.Made made : surviving) {
      for (Request request : made.requests()) {
        if (!request.typeName().endsWith("counter")) {
          continue;
        }
        if (request.identity() != null) {
          byOperationId
              .computeIfAbsent(request.keyName(), k -> new HashMap<>())
              .put(request.identity(), request.amount());
        } else {
          sums.merge(request.keyName(), request.amount(), Long::sum);
        }
      }
    }
    byOperationId.forEach(
        (keyName, amounts) ->
            amounts.values().forEach(amount -> sums.merge(keyName, amount, Long::sum)));
    return sums;
  }

  /** The elements every top-level grow-only set must show: every surviving addition. */
  static Map<String, TreeSet<String>> expectedGrowOnlySets(Iterable<Truth.Made> surviving) {
    Map<String, TreeSet<String>> sets = new HashMap<>();
    for (Truth.Made made : surviving) {
      for (Request request : made.requests()) {
        if (request.typeName().equals("g-set")) {
          TreeSet<String> set = sets.computeIfAbsent(request.keyName(), k -> new TreeSet<>());
          request.body().get("elements").forEach(element -> set.add(element.asText()));
        }
      }
    }
    return sets;
  }

  /** The value of a state as the API shows it. */
  static JsonNode value(CrdtState state) {
    CrdtType type = CrdtRegistry.typeOf(state);
    return type.value(state);
  }

  @SafeVarargs
  private static <T> T pick(SplittableRandom random, T... choices) {
    return choices[random.nextInt(choices.length)];
  }
}
