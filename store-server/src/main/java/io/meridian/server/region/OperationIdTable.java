package io.meridian.server.region;

import com.google.protobuf.ByteString;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The operation ids applied at this region, per key, remembered for at least {@code
 * retentionMillis} after they were applied (API: "Ids are remembered for at least 24 hours"). The
 * CRDT states keep an id only until it is stable; this table keeps refusing retries after that, and
 * goes into every checkpoint with the key's state so a restart keeps it. Bounded: past {@code
 * entriesMax} the oldest id is forgotten early and counted, since a table without end would be a
 * memory leak a client could drive.
 *
 * <p>A checkpoint writes the ids of only the names whose ids changed since the previous one ({@link
 * #takeChanged}): a key's record is put when it has ids and deleted when its last id was forgotten,
 * so a checkpoint of keys updated without operation ids touches no id record at all. Owned by the
 * region's single owner: not thread safe.
 */
final class OperationIdTable {
  /** Format of a key's ids in a checkpoint. */
  private static final int FORMAT_VERSION = 1;

  private final long retentionMillis;
  private final int entriesMax;
  private final LinkedHashMap<Entry, Long> appliedAtMillis = new LinkedHashMap<>();
  private final Map<ObjectName, LinkedHashMap<String, Long>> byName = new HashMap<>();
  private long evictedBeforeRetention;

  /** Names whose ids changed since the last checkpoint was taken. */
  private Set<ObjectName> changed = new HashSet<>();

  /** Names whose ids the checkpoint being committed writes. */
  private Set<ObjectName> committing = Set.of();

  private record Entry(ObjectName name, String operationId) {}

  OperationIdTable(long retentionMillis, int entriesMax) {
    if (retentionMillis < 0 || entriesMax < 1) {
      throw new IllegalArgumentException("bad operation id table bounds");
    }
    this.retentionMillis = retentionMillis;
    this.entriesMax = entriesMax;
  }

  boolean contains(ObjectName name, String operationId) {
    return appliedAtMillis.containsKey(new Entry(name, operationId));
  }

  void record(ObjectName name, String operationId, long appliedMillis) {
    Entry entry = new Entry(name, operationId);
    if (appliedAtMillis.containsKey(entry)) {
      return;
    }
    appliedAtMillis.put(entry, appliedMillis);
    changed.add(name);
    byName.computeIfAbsent(name, key -> new LinkedHashMap<>()).put(operationId, appliedMillis);
    if (appliedAtMillis.size() > entriesMax) {
      Iterator<Map.Entry<Entry, Long>> oldest = appliedAtMillis.entrySet().iterator();
      forget(oldest.next().getKey());
      oldest.remove();
      evictedBeforeRetention++;
    }
  }

  /** Forgets the ids applied more than the retention period ago. */
  void expire(long nowMillis) {
    Iterator<Map.Entry<Entry, Long>> oldest = appliedAtMillis.entrySet().iterator();
    while (oldest.hasNext()) {
      Map.Entry<Entry, Long> entry = oldest.next();
      if (nowMillis - entry.getValue() < retentionMillis) {
        return;
      }
      forget(entry.getKey());
      oldest.remove();
    }
  }

  private void forget(Entry entry) {
    changed.add(entry.name());
    LinkedHashMap<String, Long> ids = byName.get(entry.name());
    if (ids != null) {
      ids.remove(entry.operationId());
      if (ids.isEmpty()) {
        byName.remove(entry.name());
      }
    }
  }

  /** The ids of {@code name} in their checkpoint form, or null when it has none. */
  ByteString encode(ObjectName name) {
    LinkedHashMap<String, Long> ids = byName.get(name);
    if (ids == null || ids.isEmpty()) {
      return null;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT_VERSION);
      out.writeInt(ids.size());
      for (Map.Entry<String, Long> id : ids.entrySet()) {
        out.writeUTF(id.getKey());
        out.writeLong(id.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return ByteString.copyFrom(bytes.toByteArray());
  }

  /**
   * Loads the ids of {@code name} from their checkpoint form.
   *
   * @throws IllegalArgumentException when the bytes are not that form
   */
  void load(ObjectName name, ByteString encoded) {
    try (DataInputStream in =
        new DataInputStream(new ByteArrayInputStream(encoded.toByteArray()))) {
      if (in.readByte() != FORMAT_VERSION) {
        throw new IllegalArgumentException("unknown operation id format for " + name);
      }
      int count = in.readInt();
      for (int i = 0; i < count; i++) {
        record(name, in.readUTF(), in.readLong());
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("malformed operation ids of " + name, e);
    }
  }

  /**
   * The ids just loaded from the checkpoint ({@link #load}) are the ones on disk: none of them is
   * changed. Called once, after recovery has loaded every stored record and before anything else.
   */
  void loadedFromCheckpoint() {
    changed.clear();
  }

  /**
   * Takes the names whose ids changed since the last checkpoint was taken, for the next one: each
   * is written with its ids ({@link #encode}) or, having none left, deleted. One checkpoint at a
   * time; {@link #checkpointCommitted} or {@link #checkpointFailed} follows.
   */
  Set<ObjectName> takeChanged() {
    if (!committing.isEmpty()) {
      throw new IllegalStateException("a checkpoint is still being committed");
    }
    committing = changed;
    changed = new HashSet<>();
    return committing;
  }

  /** The checkpoint of {@link #takeChanged} is on disk. */
  void checkpointCommitted() {
    committing = Set.of();
  }

  /** The checkpoint of {@link #takeChanged} failed: its names count as changed again. */
  void checkpointFailed() {
    changed.addAll(committing);
    committing = Set.of();
  }

  /** Names whose ids changed since the last checkpoint was taken. */
  int changedCount() {
    return changed.size();
  }

  int size() {
    return appliedAtMillis.size();
  }

  long evictedBeforeRetention() {
    return evictedBeforeRetention;
  }
}
