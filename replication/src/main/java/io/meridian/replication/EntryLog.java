package io.meridian.replication;

import io.meridian.clocks.DecodeException;
import io.meridian.clocks.Dot;
import io.meridian.clocks.VersionVector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The entries a region keeps in memory to send: per origin, exactly the entries {@code trimmed + 1
 * .. applied}, indexed by seq. Each entry also carries its place in the order entries entered the
 * log (a causal order), which is the order they are sent in, and the tick an entry of another
 * origin entered it, for the relay rule. Entries leave from the head of an origin's log only: once
 * stable, once past {@link ReplicationConfig#logEntriesPerOriginMax()} (forced, counted), or when a
 * state transfer leaves a gap before them.
 */
final class EntryLog {
  private final HashMap<String, OriginLog> origins = new HashMap<>();

  /** Per origin, the highest seq no longer in the log. */
  private VersionVector trimmed = VersionVector.empty();

  /** The place the next entry to enter the log takes in the log's order. */
  private long nextPosition;

  private long forcedTrimEntries;

  VersionVector trimmed() {
    return trimmed;
  }

  long forcedTrimEntries() {
    return forcedTrimEntries;
  }

  /** The logs by origin, to read (the sending walks them); never changed through this map. */
  Map<String, OriginLog> origins() {
    return origins;
  }

  /** The entry of {@code origin} with {@code seq}, or null when the log does not hold it. */
  LogSlot get(String origin, long seq) {
    OriginLog originLog = origins.get(origin);
    return originLog == null ? null : originLog.get(seq);
  }

  /** Entries in the log, of every origin. */
  long size() {
    long size = 0;
    for (OriginLog originLog : origins.values()) {
      size += originLog.size();
    }
    return size;
  }

  /**
   * Appends an applied entry at the end of its origin's log.
   *
   * @param loggedTick the tick it entered the log, or {@link LogSlot#NOT_RELAYED}
   * @param encoded its encoded form if already made, else null
   */
  void append(LogEntry entry, long loggedTick, byte[] encoded) {
    originLog(entry.origin()).append(new LogSlot(entry, nextPosition++, loggedTick, encoded));
  }

  /**
   * Drops, per origin, what is stable and what exceeds the bound of entries per origin (counted:
   * the stable vector does not move for it).
   */
  void trim(VersionVector applied, VersionVector stable, int logEntriesPerOriginMax) {
    for (String origin : applied.replicas()) {
      long top = applied.get(origin);
      long start = trimmed.get(origin);
      long stableTop = Math.min(stable.get(origin), top);
      long boundTop = top - logEntriesPerOriginMax;
      long target = Math.max(stableTop, boundTop);
      if (target > start) {
        if (boundTop > Math.max(stableTop, start)) {
          forcedTrimEntries += boundTop - Math.max(stableTop, start);
        }
        removeHead(origin, start + 1, target);
        trimmed = trimmed.with(origin, target);
      }
    }
  }

  /**
   * After a state transfer moved the applied vector from {@code before} to {@code after}: an origin
   * whose log now has a gap drops what precedes it, so each log stays a run of consecutive seqs.
   */
  void skipGaps(VersionVector before, VersionVector after) {
    for (String origin : after.replicas()) {
      if (after.get(origin) > before.get(origin)) {
        removeHead(origin, trimmed.get(origin) + 1, before.get(origin));
        trimmed = trimmed.with(origin, after.get(origin));
      }
    }
  }

  /**
   * After a restart: the log records that follow {@code checkpoint}, each dot once, in the causal
   * order they were written in.
   *
   * @throws DecodeException when the records contradict each other or the checkpoint (a record out
   *     of causal order, two different entries with one dot)
   */
  static List<LogEntry> entriesAfter(VersionVector checkpoint, List<LogEntry> records) {
    VersionVector vector = checkpoint;
    List<LogEntry> replay = new ArrayList<>();
    Map<Dot, LogEntry> seen = new HashMap<>();
    for (LogEntry record : records) {
      LogEntry previous = seen.putIfAbsent(record.dot(), record);
      if (previous != null) {
        if (!previous.equals(record)) {
          throw new DecodeException("two different log records for " + record.dot());
        }
        continue;
      }
      long have = vector.get(record.origin());
      if (record.seq() == have + 1 && vector.dominates(record.deps())) {
        vector = vector.with(record.origin(), record.seq());
        replay.add(record);
      } else if (record.seq() > have) {
        throw new DecodeException("log record out of causal order: " + record);
      }
    }
    return replay;
  }

  /**
   * After a restart: keeps, per origin, the longest run of {@code records} that ends at the applied
   * seq; everything before it counts as trimmed.
   */
  void rebuild(List<LogEntry> records, VersionVector applied) {
    Map<String, TreeSet<Long>> seqs = new HashMap<>();
    for (LogEntry record : records) {
      seqs.computeIfAbsent(record.origin(), origin -> new TreeSet<>()).add(record.seq());
    }
    VersionVector runStart = VersionVector.empty();
    trimmed = applied;
    for (String origin : applied.replicas()) {
      long top = applied.get(origin);
      TreeSet<Long> have = seqs.getOrDefault(origin, new TreeSet<>());
      long first = top + 1;
      while (first > 1 && have.contains(first - 1)) {
        first--;
      }
      trimmed = trimmed.with(origin, first - 1);
      runStart = runStart.with(origin, first);
    }
    Map<String, TreeMap<Long, LogSlot>> kept = new HashMap<>();
    for (LogEntry record : records) {
      long first = runStart.get(record.origin());
      if (first > 0 && record.seq() >= first && record.seq() <= applied.get(record.origin())) {
        TreeMap<Long, LogSlot> slots = kept.computeIfAbsent(record.origin(), o -> new TreeMap<>());
        if (!slots.containsKey(record.seq())) {
          slots.put(record.seq(), new LogSlot(record, nextPosition++, LogSlot.NOT_RELAYED, null));
        }
      }
    }
    for (Map.Entry<String, TreeMap<Long, LogSlot>> origin : kept.entrySet()) {
      OriginLog originLog = originLog(origin.getKey());
      for (LogSlot slot : origin.getValue().values()) {
        originLog.append(slot);
      }
    }
  }

  /**
   * Throws unless the log holds, per origin, exactly the entries {@code trimmed + 1 .. applied}:
   * the trimmed vector is at or below the applied one and every origin's ring starts right after
   * it.
   */
  void checkHolds(VersionVector applied) {
    long expected = applied.total() - trimmed.total();
    long held = 0;
    boolean holds = applied.dominates(trimmed);
    for (Map.Entry<String, OriginLog> origin : origins.entrySet()) {
      OriginLog originLog = origin.getValue();
      long first = trimmed.get(origin.getKey()) + 1;
      holds &=
          originLog.size() == applied.get(origin.getKey()) - first + 1
              && (originLog.isEmpty() || originLog.firstSeq() == first);
      held += originLog.size();
    }
    if (!holds || held != expected) {
      throw new IllegalStateException(
          "the log does not hold trimmed + 1 .. applied: trimmed "
              + trimmed
              + ", applied "
              + applied
              + ", "
              + held
              + " entries held");
    }
  }

  private OriginLog originLog(String origin) {
    return origins.computeIfAbsent(origin, o -> new OriginLog());
  }

  /** Removes the origin's entries {@code fromSeq .. toSeq}: always the head of its log. */
  private void removeHead(String origin, long fromSeq, long toSeq) {
    OriginLog originLog = origins.get(origin);
    if (originLog == null || toSeq < fromSeq) {
      return;
    }
    if (!originLog.isEmpty() && fromSeq > originLog.firstSeq()) {
      throw new IllegalStateException("removing from the middle of the log of " + origin);
    }
    originLog.removeThrough(toSeq);
  }

  /** One entry in the log, with its place in the log's order. */
  static final class LogSlot {
    /** The logged tick of an entry the relay rule does not hold back (local or restored). */
    static final long NOT_RELAYED = Long.MIN_VALUE;

    final LogEntry entry;

    /** Its place in the order entries entered the log. */
    final long position;

    /** When an entry of another origin entered the log, for the relay delay. */
    final long loggedTick;

    private byte[] encoded;

    LogSlot(LogEntry entry, long position, long loggedTick, byte[] encoded) {
      this.entry = entry;
      this.position = position;
      this.loggedTick = loggedTick;
      this.encoded = encoded;
    }

    /** The entry's encoded form, made at most once. */
    byte[] encoded() {
      if (encoded == null) {
        encoded = FrameCodec.encodeEntry(entry);
      }
      return encoded;
    }
  }

  /**
   * The log of one origin: its entries of consecutive seqs in a ring that grows by doubling and
   * shrinks by half when a quarter full, so appending at the end, dropping from the head and
   * finding an entry by seq take constant (amortised) time, and a log that emptied after a long
   * partition gives its memory back.
   */
  static final class OriginLog {
    private static final int CAPACITY_MIN = 16;

    private LogSlot[] slots = new LogSlot[CAPACITY_MIN];
    private int head;
    private int size;
    private long firstSeq;

    boolean isEmpty() {
      return size == 0;
    }

    int size() {
      return size;
    }

    long firstSeq() {
      return firstSeq;
    }

    /** The entry with {@code seq}, or null when the log does not hold it. */
    LogSlot get(long seq) {
      long offset = seq - firstSeq;
      if (size == 0 || offset < 0 || offset >= size) {
        return null;
      }
      return slots[(head + (int) offset) & (slots.length - 1)];
    }

    void append(LogSlot slot) {
      long seq = slot.entry.seq();
      if (size == 0) {
        firstSeq = seq;
      } else if (seq != firstSeq + size) {
        throw new IllegalStateException("log of " + slot.entry.origin() + " would have a gap");
      }
      if (size == slots.length) {
        resize(slots.length * 2);
      }
      slots[(head + size) & (slots.length - 1)] = slot;
      size++;
    }

    /** Drops every entry with a seq up to {@code seq}. */
    void removeThrough(long seq) {
      while (size > 0 && firstSeq <= seq) {
        slots[head] = null;
        head = (head + 1) & (slots.length - 1);
        firstSeq++;
        size--;
      }
      if (slots.length > CAPACITY_MIN && size < slots.length / 4) {
        resize(Math.max(CAPACITY_MIN, slots.length / 2));
      }
    }

    /** Moves the entries, oldest first, into a ring of {@code capacity} (a power of two). */
    private void resize(int capacity) {
      LogSlot[] moved = new LogSlot[capacity];
      for (int i = 0; i < size; i++) {
        moved[i] = slots[(head + i) & (slots.length - 1)];
      }
      slots = moved;
      head = 0;
    }
  }
}
