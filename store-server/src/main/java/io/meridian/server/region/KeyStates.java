package io.meridian.server.region;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.meridian.clocks.Dot;
import io.meridian.clocks.VersionVector;
import io.meridian.crdt.CrdtRegistry;
import io.meridian.crdt.CrdtState;
import io.meridian.crdt.CrdtType;
import io.meridian.crdt.Effect;
import io.meridian.replication.ApplicationState;
import io.meridian.replication.KeyRanges;
import io.meridian.replication.KeyState;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiConsumer;

/**
 * The key states of one region: what readers see (exactly the entries of the applied vector) and,
 * for keys with local entries not yet on disk, the state including them ({@code tentative}), which
 * the next local update is prepared against so a pipelined second update sees the first. Also the
 * replication layer's view of the states for anti-entropy: a key travels in a state transfer with
 * its operation ids ({@link TransferredKey}).
 *
 * <p>Where a key's visible state lives, in the order a read looks: the keys changed since the last
 * checkpoint was taken ({@code changed}, decoded); the keys of the checkpoint being committed
 * ({@code committing}, decoded); a bounded cache of decoded states of keys whose state is the one
 * on disk ({@code cache}, Caffeine, weighed by the heap a decoded state takes, estimated from its
 * encoded size: {@link #cacheWeight}); the checkpoint store itself (the crdt-types codec's bytes,
 * read and decoded on a miss). Every key not changed since the last checkpoint therefore costs no
 * heap at all, and a region holds as many keys as its disk does.
 *
 * <p>A key holds one type. When two regions give a new key different types at once, the type with
 * the smaller registry tag wins everywhere: an effect of a larger tag is ignored, one of a smaller
 * tag replaces the state. Every region applies the same effects of the winning type, so they
 * converge.
 *
 * <p>Owned by the region's single owner: not thread safe.
 */
final class KeyStates implements ApplicationState {
  /** The checkpoint record of how many keys the checkpoint holds (8 bytes, big endian). */
  static final ByteString META_KEY_COUNT = ByteString.copyFrom(new byte[] {0x00, 'k'});

  private static final ByteString STATES_FROM = ByteString.copyFrom(new byte[] {0x01});
  private static final ByteString STATES_TO = ByteString.copyFrom(new byte[] {0x02});

  /** Stored keys one fold sweeps at most, so a fold after a restart never stalls the owner. */
  static final int FOLD_SWEEP_KEYS_MAX = 10_000;

  /** Weight of a cached key beyond its decoded state: the name, the cache's node, the record. */
  static final int CACHE_ENTRY_WEIGHT = 128;

  /**
   * Heap bytes of a decoded state per byte of its encoding, rounded up from what {@code
   * DecodedStateFigures} (benchmarks) measures: 11.3-11.4 for pn-counters of 1 to 20 increments (34
   * encoded bytes take 389 bytes of heap), 7.8 for an aw-set of 100 elements of 16 characters.
   */
  static final int DECODED_BYTES_PER_ENCODED_BYTE = 12;

  private final OperationIdTable operationIds;
  private final RegionCheckpoints stored;
  private final int sweepKeysMax;
  private Map<ObjectName, CrdtState> changed = new HashMap<>();
  private Map<ObjectName, CrdtState> committing = new HashMap<>();
  private Map<ObjectName, byte[]> committingEncoded = Map.of();
  private final Cache<ObjectName, Cached> cache;
  private final Map<ObjectName, CrdtState> tentative = new HashMap<>();
  private final Map<ObjectName, Integer> tentativeEntries = new HashMap<>();
  private final Map<ObjectName, VersionVector> foldCandidates = new HashMap<>();
  private long keyCount;

  /** The next stored key the sweep of {@link #fold} looks at, or null when it is done. */
  private ByteString sweepFrom;

  private long storeReads;

  /** A decoded state of a key whose visible state is the one stored, and its encoded size. */
  private record Cached(CrdtState state, int encodedBytes) {}

  /**
   * @param operationIds the region's applied operation ids, which a state transfer carries beside
   *     each key's state ({@link TransferredKey})
   * @param stored the checkpoint store, where every key not changed since the last checkpoint lives
   * @param cacheBytes the budget of the cache of decoded states, in heap bytes as {@link
   *     #cacheWeight} estimates them; 0 caches nothing (every read of an unchanged key decodes it
   *     from the store)
   */
  KeyStates(OperationIdTable operationIds, RegionCheckpoints stored, long cacheBytes) {
    this(operationIds, stored, cacheBytes, FOLD_SWEEP_KEYS_MAX);
  }

  /** As above, with {@code sweepKeysMax} stored keys swept per fold (tests). */
  KeyStates(
      OperationIdTable operationIds, RegionCheckpoints stored, long cacheBytes, int sweepKeysMax) {
    this.sweepKeysMax = sweepKeysMax;
    this.operationIds = operationIds;
    this.stored = stored;
    this.cache =
        Caffeine.newBuilder()
            .maximumWeight(cacheBytes)
            .weigher((ObjectName name, Cached cached) -> cacheWeight(cached.encodedBytes()))
            .executor(Runnable::run)
            .build();
  }

  /** The weight of a cached state of {@code encodedBytes}: about the heap it takes decoded. */
  static int cacheWeight(int encodedBytes) {
    return (int)
        Math.min(
            Integer.MAX_VALUE,
            CACHE_ENTRY_WEIGHT + (long) DECODED_BYTES_PER_ENCODED_BYTE * encodedBytes);
  }

  /**
   * Reads the key count of the last checkpoint (counts the stored keys when an older checkpoint has
   * no count) and makes every stored key a candidate of the next fold, as the state of a key loaded
   * from a checkpoint may still hold causal metadata that a fold removes. Called once, at open,
   * before anything else.
   */
  void recover() {
    Optional<ByteString> count = stored.state(META_KEY_COUNT);
    if (count.isPresent() && count.get().size() == Long.BYTES) {
      keyCount = count.get().asReadOnlyByteBuffer().getLong();
    } else {
      long[] counted = {0};
      stored.forEachState(STATES_FROM, STATES_TO, (key, value) -> ++counted[0] > 0);
      keyCount = counted[0];
    }
    sweepFrom = keyCount > 0 ? STATES_FROM : null;
    operationIds.loadedFromCheckpoint();
  }

  /** The checkpoint record of {@link #size()}, written beside the changed states. */
  ByteString keyCountRecord() {
    return ByteString.copyFrom(ByteBuffer.allocate(Long.BYTES).putLong(keyCount).array());
  }

  /** The state readers see, or null for a key this region has seen no update of. */
  CrdtState visible(ObjectName name) {
    CrdtState state = changed.get(name);
    if (state != null) {
      return state;
    }
    state = committing.get(name);
    if (state != null) {
      return state;
    }
    Cached cached = cache.getIfPresent(name);
    if (cached != null) {
      return cached.state();
    }
    storeReads++;
    Optional<ByteString> bytes = stored.state(name.toCheckpointKey());
    if (bytes.isEmpty()) {
      return null;
    }
    CrdtState decoded = CrdtRegistry.decodeState(bytes.get().toByteArray());
    cache.put(name, new Cached(decoded, bytes.get().size()));
    return decoded;
  }

  /** The state the next local update of {@code name} is prepared against, or null. */
  CrdtState forLocalUpdate(ObjectName name) {
    CrdtState state = tentative.get(name);
    return state != null ? state : visible(name);
  }

  /** How many keys have a state. */
  long size() {
    return keyCount;
  }

  /** Keys changed since the last checkpoint was taken: the decoded states held beside the store. */
  int changedCount() {
    return changed.size();
  }

  /**
   * Keys changed and not yet on disk: changed since the last checkpoint was taken plus those of the
   * checkpoint being committed (a key in both counts twice). Their decoded states are the heap that
   * grows with writes.
   */
  int unstoredCount() {
    return changed.size() + committing.size();
  }

  /** Decoded states in the cache (an estimate, as Caffeine gives it). */
  long cachedCount() {
    return cache.estimatedSize();
  }

  /** Reads that went to the checkpoint store since the region opened. */
  long storeReads() {
    return storeReads;
  }

  /** Records the states a local entry will produce once applied; see {@link #forLocalUpdate}. */
  void addTentative(Map<ObjectName, CrdtState> states) {
    for (Map.Entry<ObjectName, CrdtState> entry : states.entrySet()) {
      tentative.put(entry.getKey(), entry.getValue());
      tentativeEntries.merge(entry.getKey(), 1, Integer::sum);
    }
  }

  /**
   * Applies one effect of an entry. {@code local} says whether the entry is this region's (its
   * effect is then in the tentative state already); {@code firstInEntry} whether this is the
   * entry's first update of the key.
   */
  void apply(
      ObjectName name,
      Effect effect,
      Dot entryDot,
      boolean local,
      boolean firstInEntry,
      VersionVector appliedAfter) {
    CrdtState current = visible(name);
    putChanged(name, current, applyEffect(current, effect, entryDot));
    foldCandidates.put(name, appliedAfter);
    CrdtState pending = tentative.get(name);
    if (pending == null) {
      return;
    }
    if (!local) {
      tentative.put(name, applyEffect(pending, effect, entryDot));
    } else if (firstInEntry) {
      int left = tentativeEntries.merge(name, -1, Integer::sum);
      if (left <= 0) {
        tentative.remove(name);
        tentativeEntries.remove(name);
      }
    }
  }

  private void putChanged(ObjectName name, CrdtState before, CrdtState after) {
    if (before == null) {
      keyCount++;
    }
    changed.put(name, after);
    cache.invalidate(name);
  }

  static CrdtState applyEffect(CrdtState current, Effect effect, Dot entryDot) {
    CrdtType type = CrdtRegistry.type(effect.typeName());
    if (current == null) {
      return type.apply(type.empty(), effect, entryDot);
    }
    if (current.typeName().equals(type.name())) {
      return type.apply(current, effect, entryDot);
    }
    if (CrdtRegistry.typeOf(current).tag() < type.tag()) {
      return current;
    }
    return type.apply(type.empty(), effect, entryDot);
  }

  static CrdtState joinStates(CrdtState current, CrdtState incoming) {
    if (current == null) {
      return incoming;
    }
    if (current.typeName().equals(incoming.typeName())) {
      return CrdtRegistry.typeOf(current).join(current, incoming);
    }
    return CrdtRegistry.typeOf(current).tag() < CrdtRegistry.typeOf(incoming).tag()
        ? current
        : incoming;
  }

  /** Joins a state transfer's state in (the caller installs every key in one owner step). */
  void install(ObjectName name, CrdtState incoming, VersionVector appliedAfter) {
    CrdtState current = visible(name);
    putChanged(name, current, joinStates(current, incoming));
    foldCandidates.put(name, appliedAfter);
    CrdtState pending = tentative.get(name);
    if (pending != null) {
      tentative.put(name, joinStates(pending, incoming));
    }
  }

  /**
   * Folds causal metadata below the settled stable vector {@code stable} away. A key leaves the
   * candidates once folded with a vector covering everything applied when it last changed. The
   * folds after open also fold every stored key once (each was a candidate since its load), {@link
   * #FOLD_SWEEP_KEYS_MAX} keys per fold, in key order: a later settled vector folds as validly.
   *
   * @return how many keys were folded
   */
  int fold(VersionVector stable) {
    int folded = 0;
    if (sweepFrom != null) {
      folded += foldStored(stable);
    }
    var iterator = foldCandidates.entrySet().iterator();
    while (iterator.hasNext()) {
      Map.Entry<ObjectName, VersionVector> candidate = iterator.next();
      ObjectName name = candidate.getKey();
      CrdtState state = visible(name);
      if (state != null && !tentative.containsKey(name)) {
        foldOne(name, state, stable);
        folded++;
        if (stable.dominates(candidate.getValue())) {
          iterator.remove();
        }
      }
    }
    return folded;
  }

  /**
   * Folds every stored key that is not a candidate already (those follow in {@link #fold}); a key
   * with a tentative state stays a candidate, as it would have since its load.
   */
  private int foldStored(VersionVector stable) {
    int[] folded = {0};
    int[] seen = {0};
    ByteString[] last = {null};
    stored.forEachState(
        sweepFrom,
        STATES_TO,
        (key, value) -> {
          if (seen[0] == sweepKeysMax) {
            return false;
          }
          seen[0]++;
          last[0] = key;
          ObjectName name = ObjectName.fromCheckpointKey(key);
          if (name == null || foldCandidates.containsKey(name)) {
            return true;
          }
          if (tentative.containsKey(name)) {
            foldCandidates.put(name, VersionVector.empty());
            return true;
          }
          CrdtState state = overlay(name);
          foldOne(
              name, state != null ? state : CrdtRegistry.decodeState(value.toByteArray()), stable);
          folded[0]++;
          return true;
        });
    // The next sweep starts just after the last key seen: that key followed by a zero byte.
    sweepFrom = seen[0] < sweepKeysMax ? null : last[0].concat(ByteString.copyFrom(new byte[1]));
    return folded[0];
  }

  private void foldOne(ObjectName name, CrdtState state, VersionVector stable) {
    CrdtState after = CrdtRegistry.typeOf(state).fold(state, stable);
    if (!after.equals(state)) {
      changed.put(name, after);
      cache.invalidate(name);
    }
  }

  private CrdtState overlay(ObjectName name) {
    CrdtState state = changed.get(name);
    return state != null ? state : committing.get(name);
  }

  /**
   * Takes the keys changed since the last checkpoint, encoded, for a checkpoint: they stay readable
   * here until {@link #checkpointCommitted} or {@link #checkpointFailed}. One checkpoint at a time.
   */
  Map<ObjectName, byte[]> takeChanged() {
    if (!committing.isEmpty()) {
      throw new IllegalStateException("a checkpoint is still being committed");
    }
    Map<ObjectName, byte[]> encoded = new HashMap<>();
    for (Map.Entry<ObjectName, CrdtState> entry : changed.entrySet()) {
      encoded.put(entry.getKey(), CrdtRegistry.encodeState(entry.getValue()));
    }
    committing = changed;
    changed = new HashMap<>();
    committingEncoded = encoded;
    return encoded;
  }

  /**
   * The records a checkpoint of {@code taken} (from {@link #takeChanged}) writes: each key's state,
   * and the operation ids of the keys whose ids changed since the last checkpoint (put, or added to
   * {@code removed} when none are left). A key whose ids did not change keeps its record as it is,
   * so keys updated without operation ids cost no id record at all.
   */
  Map<ByteString, ByteString> checkpointRecords(
      Map<ObjectName, byte[]> taken, Set<ByteString> removed) {
    Map<ByteString, ByteString> records = new HashMap<>();
    for (Map.Entry<ObjectName, byte[]> entry : taken.entrySet()) {
      records.put(
          entry.getKey().toCheckpointKey(), UnsafeByteOperations.unsafeWrap(entry.getValue()));
    }
    for (ObjectName name : operationIds.takeChanged()) {
      ByteString ids = operationIds.encode(name);
      if (ids == null) {
        removed.add(name.toOperationIdsKey());
      } else {
        records.put(name.toOperationIdsKey(), ids);
      }
    }
    return records;
  }

  /** The checkpoint of {@link #takeChanged} is on disk: its states move to the cache. */
  void checkpointCommitted() {
    operationIds.checkpointCommitted();
    for (Map.Entry<ObjectName, CrdtState> entry : committing.entrySet()) {
      ObjectName name = entry.getKey();
      if (!changed.containsKey(name)) {
        cache.put(name, new Cached(entry.getValue(), committingEncoded.get(name).length));
      }
    }
    committing = new HashMap<>();
    committingEncoded = Map.of();
  }

  /** The checkpoint of {@link #takeChanged} failed: its keys count as changed again. */
  void checkpointFailed() {
    operationIds.checkpointFailed();
    for (Map.Entry<ObjectName, CrdtState> entry : committing.entrySet()) {
      changed.putIfAbsent(entry.getKey(), entry.getValue());
    }
    committing = new HashMap<>();
    committingEncoded = Map.of();
  }

  /**
   * One digest per range over every key's bucket, key and encoded state, the keys of a range in
   * unsigned byte order of their checkpoint form.
   */
  @Override
  public List<byte[]> rangeDigests(int rangeCount) {
    List<MessageDigest> digests = new ArrayList<>(rangeCount);
    for (int i = 0; i < rangeCount; i++) {
      digests.add(sha256());
    }
    forEachInOrder(
        (name, state) -> {
          MessageDigest digest =
              digests.get(KeyRanges.rangeOf(name.bucket(), name.key(), rangeCount));
          update(digest, name.bucket().getBytes(StandardCharsets.UTF_8));
          update(digest, name.key().getBytes(StandardCharsets.UTF_8));
          update(digest, state);
        });
    List<byte[]> result = new ArrayList<>(rangeCount);
    digests.forEach(digest -> result.add(digest.digest()));
    return result;
  }

  @Override
  public List<KeyState> keyStates(Set<Integer> ranges, int rangeCount) {
    List<KeyState> states = new ArrayList<>();
    forEachInOrder(
        (name, state) -> {
          if (ranges.contains(KeyRanges.rangeOf(name.bucket(), name.key(), rangeCount))) {
            TransferredKey transferred = new TransferredKey(state, operationIds.encode(name));
            states.add(new KeyState(name.bucket(), name.key(), transferred.encode()));
          }
        });
    return states;
  }

  /**
   * Every key with its encoded visible state, in unsigned byte order of the checkpoint keys: the
   * stored keys merged with the ones held here (which win).
   */
  private void forEachInOrder(BiConsumer<ObjectName, byte[]> each) {
    TreeMap<ByteString, ObjectName> held =
        new TreeMap<>(ByteString.unsignedLexicographicalComparator());
    committing.keySet().forEach(name -> held.put(name.toCheckpointKey(), name));
    changed.keySet().forEach(name -> held.put(name.toCheckpointKey(), name));
    Iterator<Map.Entry<ByteString, ObjectName>> heldInOrder = held.entrySet().iterator();
    @SuppressWarnings("unchecked")
    Map.Entry<ByteString, ObjectName>[] next =
        new Map.Entry[] {heldInOrder.hasNext() ? heldInOrder.next() : null};
    stored.forEachState(
        STATES_FROM,
        STATES_TO,
        (key, value) -> {
          while (next[0] != null
              && ByteString.unsignedLexicographicalComparator().compare(next[0].getKey(), key)
                  <= 0) {
            boolean same = next[0].getKey().equals(key);
            emitHeld(next[0].getValue(), each);
            next[0] = heldInOrder.hasNext() ? heldInOrder.next() : null;
            if (same) {
              return true;
            }
          }
          ObjectName name = ObjectName.fromCheckpointKey(key);
          if (name != null) {
            each.accept(name, value.toByteArray());
          }
          return true;
        });
    while (next[0] != null) {
      emitHeld(next[0].getValue(), each);
      next[0] = heldInOrder.hasNext() ? heldInOrder.next() : null;
    }
  }

  private void emitHeld(ObjectName name, BiConsumer<ObjectName, byte[]> each) {
    each.accept(name, CrdtRegistry.encodeState(overlay(name)));
  }

  private static void update(MessageDigest digest, byte[] bytes) {
    digest.update((byte) (bytes.length >>> 24));
    digest.update((byte) (bytes.length >>> 16));
    digest.update((byte) (bytes.length >>> 8));
    digest.update((byte) bytes.length);
    digest.update(bytes);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
