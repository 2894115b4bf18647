package io.meridian.server.region;

import io.meridian.clocks.Dot;
import io.meridian.clocks.VersionVector;
import io.meridian.crdt.CrdtRegistry;
import io.meridian.crdt.CrdtState;
import io.meridian.crdt.CrdtType;
import io.meridian.crdt.Effect;
import io.meridian.replication.ApplicationState;
import io.meridian.replication.KeyRanges;
import io.meridian.replication.KeyState;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The key states of one region, in memory: what readers see ({@code visible}, exactly the entries
 * of the applied vector) and, for keys with local entries not yet on disk, the state including them
 * ({@code tentative}), which the next local update is prepared against so a pipelined second update
 * sees the first. Also the replication layer's view of the states for anti-entropy: a key travels
 * in a state transfer with its operation ids ({@link TransferredKey}).
 *
 * <p>A key holds one type. When two regions give a new key different types at once, the type with
 * the smaller registry tag wins everywhere: an effect of a larger tag is ignored, one of a smaller
 * tag replaces the state. Every region applies the same effects of the winning type, so they
 * converge.
 *
 * <p>Owned by the region's single owner: not thread safe.
 */
final class KeyStates implements ApplicationState {
  private final OperationIdTable operationIds;
  private final Map<ObjectName, CrdtState> visible = new HashMap<>();
  private final Map<ObjectName, CrdtState> tentative = new HashMap<>();
  private final Map<ObjectName, Integer> tentativeEntries = new HashMap<>();
  private final Set<ObjectName> changedSinceCheckpoint = new HashSet<>();
  private final Map<ObjectName, VersionVector> foldCandidates = new HashMap<>();

  /**
   * @param operationIds the region's applied operation ids, which a state transfer carries beside
   *     each key's state ({@link TransferredKey})
   */
  KeyStates(OperationIdTable operationIds) {
    this.operationIds = operationIds;
  }

  /** The state readers see, or null for a key this region has seen no update of. */
  CrdtState visible(ObjectName name) {
    return visible.get(name);
  }

  /** The state the next local update of {@code name} is prepared against, or null. */
  CrdtState forLocalUpdate(ObjectName name) {
    CrdtState state = tentative.get(name);
    return state != null ? state : visible.get(name);
  }

  int size() {
    return visible.size();
  }

  /** Loads a state from a checkpoint, before anything else happens. */
  void load(ObjectName name, CrdtState state) {
    visible.put(name, state);
    foldCandidates.put(name, VersionVector.empty());
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
    visible.put(name, applyEffect(visible.get(name), effect, entryDot));
    changedSinceCheckpoint.add(name);
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
    CrdtState joined = joinStates(visible.get(name), incoming);
    visible.put(name, joined);
    changedSinceCheckpoint.add(name);
    foldCandidates.put(name, appliedAfter);
    CrdtState pending = tentative.get(name);
    if (pending != null) {
      tentative.put(name, joinStates(pending, incoming));
    }
  }

  /**
   * Folds causal metadata below the settled stable vector {@code stable} away. A key leaves the
   * candidates once folded with a vector covering everything applied when it last changed.
   *
   * @return how many keys were folded
   */
  int fold(VersionVector stable) {
    int folded = 0;
    var iterator = foldCandidates.entrySet().iterator();
    while (iterator.hasNext()) {
      Map.Entry<ObjectName, VersionVector> candidate = iterator.next();
      ObjectName name = candidate.getKey();
      CrdtState state = visible.get(name);
      if (state != null && !tentative.containsKey(name)) {
        CrdtState after = CrdtRegistry.typeOf(state).fold(state, stable);
        if (!after.equals(state)) {
          visible.put(name, after);
          changedSinceCheckpoint.add(name);
        }
        folded++;
        if (stable.dominates(candidate.getValue())) {
          iterator.remove();
        }
      }
    }
    return folded;
  }

  /** The keys changed since the last checkpoint, with their states; clears the set. */
  Map<ObjectName, CrdtState> takeChanged() {
    Map<ObjectName, CrdtState> changed = new HashMap<>();
    for (ObjectName name : changedSinceCheckpoint) {
      changed.put(name, visible.get(name));
    }
    changedSinceCheckpoint.clear();
    return changed;
  }

  /** Marks keys changed again after a checkpoint that failed. */
  void markChanged(Set<ObjectName> names) {
    changedSinceCheckpoint.addAll(names);
  }

  @Override
  public List<byte[]> rangeDigests(int rangeCount) {
    List<TreeMap<ObjectName, CrdtState>> ranges = byRange(rangeCount, null);
    List<byte[]> digests = new ArrayList<>(rangeCount);
    for (TreeMap<ObjectName, CrdtState> range : ranges) {
      MessageDigest digest = sha256();
      for (Map.Entry<ObjectName, CrdtState> entry : range.entrySet()) {
        update(digest, entry.getKey().bucket().getBytes(StandardCharsets.UTF_8));
        update(digest, entry.getKey().key().getBytes(StandardCharsets.UTF_8));
        update(digest, CrdtRegistry.encodeState(entry.getValue()));
      }
      digests.add(digest.digest());
    }
    return digests;
  }

  @Override
  public List<KeyState> keyStates(Set<Integer> ranges, int rangeCount) {
    List<KeyState> states = new ArrayList<>();
    for (TreeMap<ObjectName, CrdtState> range : byRange(rangeCount, ranges)) {
      for (Map.Entry<ObjectName, CrdtState> entry : range.entrySet()) {
        TransferredKey transferred =
            new TransferredKey(
                CrdtRegistry.encodeState(entry.getValue()), operationIds.encode(entry.getKey()));
        states.add(
            new KeyState(entry.getKey().bucket(), entry.getKey().key(), transferred.encode()));
      }
    }
    return states;
  }

  private List<TreeMap<ObjectName, CrdtState>> byRange(int rangeCount, Set<Integer> wanted) {
    List<TreeMap<ObjectName, CrdtState>> ranges = new ArrayList<>(rangeCount);
    for (int i = 0; i < rangeCount; i++) {
      ranges.add(new TreeMap<>());
    }
    for (Map.Entry<ObjectName, CrdtState> entry : visible.entrySet()) {
      int range = KeyRanges.rangeOf(entry.getKey().bucket(), entry.getKey().key(), rangeCount);
      if (wanted == null || wanted.contains(range)) {
        ranges.get(range).put(entry.getKey(), entry.getValue());
      }
    }
    return ranges;
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
