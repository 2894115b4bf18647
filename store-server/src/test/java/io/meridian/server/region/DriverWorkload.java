package io.meridian.server.region;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.crdt.ClientSequence;
import io.meridian.crdt.CrdtRegistry;
import io.meridian.crdt.CrdtRequestException;
import io.meridian.crdt.CrdtType;
import io.meridian.server.http.ApiException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The driver simulation's requests, as HTTP would send them: JSON bodies of every type of the API's
 * table, single updates and batches ({@code POST /v1/batch}), some with an operation id and some
 * with a client sequence ({@code client}/{@code seq}), parsed into {@link UpdateRequest}s the way
 * {@link RegionHttpService} parses them. Every write has a number {@code n}; the text {@code "un"}
 * is its update id: it is added to the sets, inserted into the lists and assigned to the registers
 * the write updates, so what a region shows names the writes it shows (S1, S6). A write that
 * assigns an lww-register also adds its id to the journal g-set, in the same entry, so that it
 * stays visible after a later assignment overwrites the register.
 */
final class DriverWorkload {
  /** Every type's API name, in the registry's (tag) order. */
  static final List<String> TYPE_NAMES = CrdtRegistry.types().stream().map(CrdtType::name).toList();

  /** The key of the journal g-set. */
  static final String JOURNAL = "journal";

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final List<String> VOCABULARY = List.of("a", "b", "c");

  /** The types whose value keeps every id added (no workload op removes an id). */
  static boolean keepsIds(String type) {
    return type.equals("g-set")
        || type.equals("aw-set")
        || type.equals("rw-set")
        || type.equals("list");
  }

  /** The types whose value shows the ids of the last assignments. */
  static boolean showsAssignedIds(String type) {
    return type.equals("lww-register") || type.equals("mv-register");
  }

  /** One update of a write: the key and its JSON body. */
  record Update(String key, ObjectNode body) {}

  /** A write as the client made it; its retries send the same bodies. */
  static final class Write {
    final int number;
    final ObjectNode body;
    final boolean batch;
    final List<Update> updates;
    final String identity;

    /** Ids visible where each attempt was made (the intersection): a part of its causal past. */
    BitSet past;

    int attempts;
    boolean acknowledged;
    final Set<String> idKeys = new LinkedHashSet<>();
    final Set<String> lwwKeys = new LinkedHashSet<>();
    final List<String> counterKeys = new ArrayList<>();

    Write(int number, ObjectNode body, boolean batch, List<Update> updates, String identity) {
      this.number = number;
      this.body = body;
      this.batch = batch;
      this.updates = updates;
      this.identity = identity;
    }

    /** An attempt made where {@code visible} were shown. */
    void attempt(BitSet visible) {
      attempts++;
      if (past == null) {
        past = (BitSet) visible.clone();
      } else {
        past.and(visible);
      }
    }
  }

  private final SplittableRandom random;
  private final List<String> keys;
  private final Map<String, String> types;
  private final double batchProbability;
  private final double operationIdProbability;

  DriverWorkload(
      SplittableRandom random,
      List<String> keys,
      Map<String, String> types,
      double batchProbability,
      double operationIdProbability) {
    this.random = random;
    this.keys = keys;
    this.types = types;
    this.batchProbability = batchProbability;
    this.operationIdProbability = operationIdProbability;
  }

  /**
   * A new write, numbered {@code number}, against the objects a region shows now ({@code shown}:
   * key to rendered object); {@code sequence} is the client's next sequence number, or null.
   */
  Write next(int number, Map<String, JsonNode> shown, ClientSequence sequence) {
    String id = "u" + number;
    boolean batch = random.nextDouble() < batchProbability;
    int size = batch ? 1 + random.nextInt(3) : 1;
    List<Update> updates = new ArrayList<>();
    boolean journal = false;
    for (int i = 0; i < size; i++) {
      String key = keys.get(random.nextInt(keys.size()));
      String type = types.get(key);
      ObjectNode body = operation(type, shown.get(key), id);
      updates.add(new Update(key, body));
      journal |= type.equals("lww-register");
    }
    if (journal) {
      ObjectNode add = JSON.objectNode().put("type", "g-set").put("op", "add");
      add.putArray("elements").add(id);
      updates.add(new Update(JOURNAL, add));
      batch = true;
    }
    String operationId = null;
    if (sequence == null && !batch && random.nextDouble() < operationIdProbability) {
      operationId = "op-" + number;
    }
    ObjectNode body;
    if (batch) {
      body = JSON.objectNode();
      ArrayNode items = body.putArray("updates");
      for (Update update : updates) {
        items.add(update.body().deepCopy().put("bucket", "b").put("key", update.key()));
      }
    } else {
      body = updates.get(0).body().deepCopy();
      if (operationId != null) {
        body.put("id", operationId);
      }
    }
    if (sequence != null) {
      body.put("client", sequence.client()).put("seq", sequence.sequence());
    }
    String identity =
        operationId != null
            ? operationId
            : sequence != null ? sequence.client() + "#" + sequence.sequence() : id;
    Write write = new Write(number, body, batch, updates, identity);
    for (Update update : updates) {
      String type = update.key().equals(JOURNAL) ? "g-set" : types.get(update.key());
      String op = update.body().get("op").asText();
      if (keepsIds(type) && (op.equals("add") || op.equals("insert"))) {
        write.idKeys.add(update.key());
      } else if (type.equals("lww-register")) {
        write.lwwKeys.add(update.key());
      } else if (type.equals("g-counter")) {
        write.counterKeys.add(update.key());
      }
    }
    return write;
  }

  /** The write's bodies parsed as {@link RegionHttpService} parses them. */
  static List<UpdateRequest> parse(Write write) {
    List<UpdateRequest> requests = new ArrayList<>();
    if (!write.batch) {
      requests.add(parseUpdate(write.updates.get(0).key(), write.body, true));
      return requests;
    }
    ClientSequence sequence = CrdtRegistry.parseClientSequence(write.body);
    for (JsonNode item : write.body.get("updates")) {
      UpdateRequest update = parseUpdate(item.get("key").asText(), item, false);
      requests.add(sequence == null ? update : update.withClientSequence(sequence));
    }
    return requests;
  }

  private static UpdateRequest parseUpdate(String key, JsonNode body, boolean single) {
    return new UpdateRequest(
        new ObjectName("b", key),
        CrdtRegistry.parseUpdate(body),
        CrdtRegistry.parseOperationId(body),
        CrdtRegistry.parseObservedContext(body),
        single ? CrdtRegistry.parseClientSequence(body) : null);
  }

  private ObjectNode operation(String type, JsonNode shown, String id) {
    ObjectNode body = JSON.objectNode().put("type", type);
    JsonNode value = shown == null ? null : shown.get("value");
    switch (type) {
      case "g-counter" -> body.put("op", "increment");
      case "pn-counter" ->
          body.put("op", random.nextBoolean() ? "increment" : "decrement")
              .put("by", random.nextInt(6));
      case "lww-register", "mv-register" -> {
        body.put("op", "assign").put("value", id);
        withContext(body, shown, type.equals("mv-register"));
      }
      case "ew-flag" -> {
        body.put("op", random.nextInt(3) == 0 ? "disable" : "enable");
        withContext(body, shown, body.get("op").asText().equals("disable"));
      }
      case "g-set" -> {
        ArrayNode elements = body.put("op", "add").putArray("elements").add(id);
        if (random.nextBoolean()) {
          elements.add(VOCABULARY.get(random.nextInt(VOCABULARY.size())));
        }
      }
      case "aw-set", "rw-set" -> {
        if (random.nextInt(3) == 0) {
          body.put("op", "remove")
              .putArray("elements")
              .add(VOCABULARY.get(random.nextInt(VOCABULARY.size())));
          withContext(body, shown, true);
        } else {
          ArrayNode elements = body.put("op", "add").putArray("elements").add(id);
          if (random.nextBoolean()) {
            elements.add(VOCABULARY.get(random.nextInt(VOCABULARY.size())));
          }
        }
      }
      case "list" -> {
        int size = value == null ? 0 : value.size();
        body.put("op", "insert").put("index", random.nextInt(size + 1));
        body.putArray("values").add(id);
      }
      case "or-map" -> {
        if (random.nextInt(4) == 0) {
          body.put("op", "remove").putArray("fields").add(random.nextBoolean() ? "hits" : "tags");
          withContext(body, shown, true);
        } else {
          ObjectNode entries = body.put("op", "update").putObject("entries");
          entries.putObject("hits").put("type", "g-counter").put("op", "increment");
          ObjectNode tags = entries.putObject("tags").put("type", "aw-set").put("op", "add");
          tags.putArray("elements").add(VOCABULARY.get(random.nextInt(VOCABULARY.size())));
          entries
              .putObject("name")
              .put("type", "lww-register")
              .put("op", "assign")
              .put("value", id);
        }
      }
      default -> throw new IllegalArgumentException("no workload for " + type);
    }
    return body;
  }

  /** Draws for stale contexts, apart from {@link #random}; null: contexts are always fresh. */
  private SplittableRandom staleness;

  /** Per key, a context shown earlier, which a stale request sends instead of the fresh one. */
  private final Map<String, String> earlierContexts = new HashMap<>();

  /**
   * Makes half of the requests that send a context send one the key showed earlier instead (as a
   * client that read long ago does), drawn from {@code draws} so that the other draws stay as they
   * were: or-map field removes with reads older than the context expiry are refused.
   */
  void sendStaleContexts(SplittableRandom draws) {
    this.staleness = draws;
  }

  /** Sometimes sends the context the region showed, as a client that read the key first does. */
  private void withContext(ObjectNode body, JsonNode shown, boolean allowed) {
    if (allowed && shown != null && shown.has("context") && random.nextBoolean()) {
      String context = shown.get("context").asText();
      if (staleness != null && shown.has("key")) {
        String key = shown.get("key").asText();
        String earlier = earlierContexts.get(key);
        if (earlier == null || staleness.nextInt(4) == 0) {
          earlierContexts.put(key, context);
        }
        if (earlier != null && staleness.nextBoolean()) {
          context = earlier;
        }
      }
      body.put("context", context);
    }
  }

  /** The ids a rendered value names: texts {@code "un"}, in arrays or alone. */
  static BitSet ids(JsonNode value) {
    BitSet ids = new BitSet();
    if (value == null) {
      return ids;
    }
    if (value.isArray()) {
      for (JsonNode item : value) {
        addId(ids, item);
      }
    } else {
      addId(ids, value);
    }
    return ids;
  }

  private static void addId(BitSet ids, JsonNode item) {
    if (!item.isTextual()) {
      return;
    }
    String text = item.asText();
    if (text.length() > 1 && text.charAt(0) == 'u') {
      try {
        ids.set(Integer.parseInt(text.substring(1)));
      } catch (NumberFormatException e) {
        // Not an id.
      }
    }
  }

  /** True when {@code error} is a client error: the request was answered, not to be retried. */
  /** True for a refusal of a remove whose context had expired ({@code context_expired}). */
  static boolean contextExpired(Throwable error) {
    Throwable cause =
        error instanceof java.util.concurrent.CompletionException ? error.getCause() : error;
    if (cause instanceof ApiException api) {
      return api.code() == io.meridian.server.http.ErrorCode.CONTEXT_EXPIRED;
    }
    return cause instanceof CrdtRequestException refused
        && refused.code() == io.meridian.crdt.ErrorCode.CONTEXT_EXPIRED;
  }

  static boolean answered(Throwable error) {
    Throwable cause =
        error instanceof java.util.concurrent.CompletionException ? error.getCause() : error;
    if (cause instanceof ApiException api) {
      return api.code().status() < 500;
    }
    return cause instanceof CrdtRequestException;
  }
}
