package io.meridian.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one thread that sends the client's queued updates: the head entry, then the next, each only
 * once the previous was acknowledged by a region (or refused), so updates leave in sequence order,
 * with the session token, which is what monotonic writes and the server's per-client deduplication
 * rely on. A failed attempt keeps the entry at the head and sends it again, with the same client
 * sequence, once a region's pause is over: a retry after a timeout, a lost answer or a failover
 * takes effect once, however late it comes (the client sequence of {@link OperationIdentity}).
 * Nothing a region could not take is dropped: a refusal moves the entry out of the way (into the
 * offline directory's rejected table, when there is one) and fails its receipt.
 */
final class Writer implements Runnable {
  private static final Logger LOG = Logger.getLogger(Writer.class.getName());

  /** The shortest pause after a pass over the regions that found none; stops a busy loop. */
  private static final long IDLE_PAUSE_MILLIS_MIN = 20;

  private final UpdateQueue queue;
  private final Transport transport;
  private final Session session;
  private final Visibility visibility;
  private final Runnable onChange;
  private final OperationIdentity identity;
  private final Map<Long, WriteReceipt> receipts = new ConcurrentHashMap<>();
  private final Object signal = new Object();
  private volatile boolean closed;
  private volatile long doneThroughSeq;
  private volatile long lastSyncMillis;
  private volatile String lastError;

  Writer(
      UpdateQueue queue,
      Transport transport,
      Session session,
      Visibility visibility,
      Runnable onChange) {
    this.queue = queue;
    this.transport = transport;
    this.session = session;
    this.visibility = visibility;
    this.onChange = onChange;
    this.identity = new OperationIdentity(queue.clientId());
  }

  OperationIdentity identity() {
    return identity;
  }

  /** Registers the receipt of a queued entry and wakes the thread. */
  void queued(UpdateQueue.Entry entry, WriteReceipt receipt) {
    receipts.put(entry.firstSeq(), receipt);
    wake();
  }

  void wake() {
    synchronized (signal) {
      signal.notifyAll();
    }
  }

  long lastSyncMillis() {
    return lastSyncMillis;
  }

  String lastError() {
    return lastError;
  }

  /** Waits until every update numbered up to {@code seq} was acknowledged or refused. */
  boolean awaitDone(long seq, long deadlineMillis) throws InterruptedException {
    synchronized (signal) {
      while (doneThroughSeq < seq && !closed) {
        long wait = deadlineMillis - System.currentTimeMillis();
        if (wait <= 0) {
          return false;
        }
        signal.wait(wait);
      }
    }
    return doneThroughSeq >= seq;
  }

  /** Waits until the queue is empty (the entries of earlier clients of the directory included). */
  boolean awaitEmpty(long deadlineMillis) throws InterruptedException {
    synchronized (signal) {
      while (queue.pendingEntries() > 0 && !closed) {
        long wait = deadlineMillis - System.currentTimeMillis();
        if (wait <= 0) {
          return false;
        }
        signal.wait(wait);
      }
    }
    return queue.pendingEntries() == 0;
  }

  void close() {
    closed = true;
    wake();
    MeridianException.Closed closedError =
        new MeridianException.Closed("the client closed before a region acknowledged the update");
    receipts
        .values()
        .forEach(receipt -> receipt.acceptedStage().completeExceptionally(closedError));
    receipts.clear();
  }

  @Override
  public void run() {
    while (!closed) {
      try {
        UpdateQueue.Entry entry = queue.head();
        if (entry == null) {
          pause(Long.MAX_VALUE);
          continue;
        }
        send(entry);
      } catch (MeridianException.Unavailable | MeridianException.Overloaded e) {
        lastError = e.getMessage();
        onChange.run();
        pause(transport.nextAttemptMillis());
      } catch (RuntimeException e) {
        // A broken local store or a bug: say so, keep the entry, try again later rather than spin.
        LOG.log(Level.WARNING, "sending a queued update failed", e);
        lastError = e.toString();
        onChange.run();
        pause(System.currentTimeMillis() + 1_000);
      }
    }
  }

  private void pause(long untilMillis) {
    synchronized (signal) {
      if (closed) {
        return;
      }
      long wait =
          untilMillis == Long.MAX_VALUE
              ? 1_000
              : Math.max(IDLE_PAUSE_MILLIS_MIN, untilMillis - System.currentTimeMillis());
      try {
        signal.wait(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        closed = true;
      }
    }
  }

  private void send(UpdateQueue.Entry entry) {
    List<UpdateQueue.Queued> updates = entry.updates();
    Transport.Answer answer;
    try {
      if (updates.size() == 1) {
        UpdateQueue.Queued only = updates.get(0);
        answer =
            transport.call(
                Transport.keyPath(only.bucket(), only.key()),
                identity.stamp(wireBody(only), entry.firstSeq()));
      } else {
        ObjectNode batch = JsonNodeFactory.instance.objectNode();
        ArrayNode items = batch.putArray("updates");
        for (int i = 0; i < updates.size(); i++) {
          UpdateQueue.Queued update = updates.get(i);
          ObjectNode item = items.addObject();
          item.put("bucket", update.bucket());
          item.put("key", update.key());
          item.setAll(wireBody(update));
        }
        batch.put("answer", keepsNoObject(updates) ? "none" : "objects");
        answer = transport.call("/v1/batch", identity.stamp(batch, entry.firstSeq()));
      }
    } catch (MeridianException.Unavailable | MeridianException.Overloaded e) {
      throw e;
    } catch (MeridianException refused) {
      queue.reject(entry, refused.getMessage());
      lastError = refused.getMessage();
      finished(entry);
      WriteReceipt receipt = receipts.remove(entry.firstSeq());
      if (receipt != null) {
        receipt.acceptedStage().completeExceptionally(refused);
        receipt.visibleStage().completeExceptionally(refused);
      }
      return;
    }
    List<JsonNode> objects = new ArrayList<>();
    if (updates.size() == 1) {
      objects.add(answer.body());
    } else {
      // Each key once ("objects"); a region that does not know "answer" sends "results".
      answer.body().path("objects").forEach(objects::add);
      answer.body().path("results").forEach(objects::add);
    }
    queue.acknowledge(entry, objects, session.token());
    lastSyncMillis = System.currentTimeMillis();
    finished(entry);
    WriteReceipt receipt = receipts.remove(entry.firstSeq());
    if (receipt != null) {
      receipt.acceptedStage().complete(answer.region());
      visibility.watch(session.writeVector(), receipt.visibleStage());
    }
  }

  /**
   * Whether the client keeps nothing of these updates' keys from an answer: an online client
   * remembers a key's context only for updates that observe, which counters never do (a map's
   * counter field is the map's key, which may).
   */
  private boolean keepsNoObject(List<UpdateQueue.Queued> updates) {
    if (queue.hasReplica()) {
      return false;
    }
    for (UpdateQueue.Queued update : updates) {
      String type = update.body().path("type").asText();
      if (!type.equals("pn-counter") && !type.equals("g-counter")) {
        return false;
      }
    }
    return true;
  }

  private void finished(UpdateQueue.Entry entry) {
    synchronized (signal) {
      doneThroughSeq = entry.firstSeq() + entry.updates().size() - 1;
      signal.notifyAll();
    }
    onChange.run();
  }

  /**
   * The update as the API takes it, without its identity: its body and, if it observes, a context.
   */
  private ObjectNode wireBody(UpdateQueue.Queued update) {
    ObjectNode body = update.body().deepCopy();
    if (update.observes()) {
      String context = queue.context(update.bucket(), update.key());
      if (context != null) {
        body.put("context", context);
      }
    }
    return body;
  }
}
