package io.meridian.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The client's updates that no region has acknowledged yet, oldest first, and what the client knows
 * of the keys (the newest context of each). In memory for an online client, in SQLite for an
 * offline one. Every method is atomic; implementations are thread safe.
 */
interface UpdateQueue extends AutoCloseable {
  /** One queued update of one key; {@code body} lacks the id and the context. */
  record Queued(String bucket, String key, ObjectNode body, boolean observes) {}

  /**
   * One queue entry: a single update or an atomic batch, whose updates are numbered from {@code
   * firstSeq} on.
   */
  record Entry(long firstSeq, List<Queued> updates, long bytes, long createdMillis) {}

  /** Whether an appended entry is on disk when {@link #append} returns. */
  boolean durable();

  /** This client's id. */
  String clientId();

  /**
   * Numbers and queues {@code updates} as one entry, atomically.
   *
   * @throws MeridianException.QueueFull at the bound, changing nothing
   * @throws MeridianException a rejection the queue can tell before sending (type mismatch)
   */
  Entry append(List<Queued> updates);

  /** The oldest entry, or null. */
  Entry head();

  /**
   * A region applied {@code entry}: drop it; {@code objects} are the keys after it, in order, and
   * {@code sessionToken} the session after it (persisted with the acknowledgement, offline).
   */
  void acknowledge(Entry entry, List<JsonNode> objects, String sessionToken);

  /** A region refused {@code entry}: move it out of the way, keeping it where one can be kept. */
  void reject(Entry entry, String error);

  /**
   * A read returned {@code object}: remember its context and, offline, its value as the key's new
   * base, unless the queue changed since the read started ({@code changesAtStart}: an update
   * queued, acknowledged or refused) or the key has queued updates. A region may already hold a
   * queued update (sent, answer not yet recorded, or sent before a crash), and a base must never
   * include an update the replica applies on top; and a read sent before an acknowledgement may
   * come back without that update, so a base it wrote would take the acknowledged update out of the
   * replica.
   */
  void observed(JsonNode object, long changesAtStart);

  /** A count that grows whenever an update is queued, acknowledged or refused. */
  long changes();

  /** The context of the newest object received for the key, or null. */
  String context(String bucket, String key);

  /** The key as the offline replica shows it, queued updates included; null when online-only. */
  ObjectView local(String bucket, String key);

  /** Whether {@link #local} answers. */
  boolean hasReplica();

  long pendingEntries();

  long pendingBytes();

  /** Creation time of the oldest entry, or 0 when empty. */
  long oldestCreatedMillis();

  long rejectedEntries();

  /** The persisted session token, or null. */
  String sessionToken();

  /** Persists the session token (a no-op in memory). */
  void saveSessionToken(String token);

  @Override
  void close();
}
