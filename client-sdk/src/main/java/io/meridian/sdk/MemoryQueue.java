package io.meridian.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The queue of an online-only client: in memory, bounded in entries and bytes, lost with the
 * process (an application that must not lose queued updates gives the client an offline directory).
 * Contexts are kept for the {@link #CONTEXTS_ENTRIES_MAX} keys used last; a key whose context was
 * forgotten removes what its region holds when the remove arrives.
 */
final class MemoryQueue implements UpdateQueue {
  static final int CONTEXTS_ENTRIES_MAX = 10_000;

  private final String clientId;
  private final int entriesMax;
  private final long bytesMax;
  private final ArrayDeque<Entry> entries = new ArrayDeque<>();
  private final Map<String, String> contexts =
      new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
          return size() > CONTEXTS_ENTRIES_MAX;
        }
      };
  private long nextSeq = 1;
  private long changes;
  private long bytes;
  private long rejected;

  MemoryQueue(String clientId, int entriesMax, long bytesMax) {
    this.clientId = clientId;
    this.entriesMax = entriesMax;
    this.bytesMax = bytesMax;
  }

  @Override
  public boolean durable() {
    return false;
  }

  @Override
  public String clientId() {
    return clientId;
  }

  @Override
  public synchronized Entry append(List<Queued> updates) {
    long size = QueueBounds.bytesOf(updates);
    QueueBounds.check(entries.size(), bytes, size, entriesMax, bytesMax);
    Entry entry = new Entry(nextSeq, List.copyOf(updates), size, System.currentTimeMillis());
    nextSeq += updates.size();
    changes++;
    entries.addLast(entry);
    bytes += size;
    return entry;
  }

  @Override
  public synchronized Entry head() {
    return entries.peekFirst();
  }

  @Override
  public synchronized void acknowledge(Entry entry, List<JsonNode> objects, String sessionToken) {
    remove(entry);
    objects.forEach(this::rememberContext);
  }

  @Override
  public synchronized void reject(Entry entry, String error) {
    remove(entry);
    rejected++;
  }

  private void remove(Entry entry) {
    if (entries.peekFirst() != entry) {
      throw new IllegalStateException("only the head of the queue leaves it");
    }
    entries.removeFirst();
    bytes -= entry.bytes();
    changes++;
  }

  @Override
  public synchronized void observed(JsonNode object, long changesAtStart) {
    // Online, a context is what the application last read: a remove takes out what it saw.
    rememberContext(object);
  }

  @Override
  public synchronized long changes() {
    return changes;
  }

  private void rememberContext(JsonNode object) {
    ObjectView view = ObjectView.of(object);
    if (view != null && view.context() != null) {
      contexts.put(Snapshot.name(view.bucket(), view.key()), view.context());
    }
  }

  @Override
  public synchronized String context(String bucket, String key) {
    return contexts.get(Snapshot.name(bucket, key));
  }

  @Override
  public ObjectView local(String bucket, String key) {
    return null;
  }

  @Override
  public boolean hasReplica() {
    return false;
  }

  @Override
  public synchronized long pendingEntries() {
    return entries.size();
  }

  @Override
  public synchronized long pendingBytes() {
    return bytes;
  }

  @Override
  public synchronized long oldestCreatedMillis() {
    return entries.isEmpty() ? 0 : entries.peekFirst().createdMillis();
  }

  @Override
  public synchronized long rejectedEntries() {
    return rejected;
  }

  @Override
  public String sessionToken() {
    return null;
  }

  @Override
  public void saveSessionToken(String token) {}

  @Override
  public void close() {}
}
