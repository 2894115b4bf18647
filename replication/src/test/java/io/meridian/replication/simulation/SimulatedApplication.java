package io.meridian.replication.simulation;

import io.meridian.clocks.Dot;
import io.meridian.clocks.VersionVector;
import io.meridian.crdt.CrdtRegistry;
import io.meridian.crdt.CrdtState;
import io.meridian.crdt.CrdtType;
import io.meridian.crdt.Effect;
import io.meridian.replication.ApplicationState;
import io.meridian.replication.KeyRanges;
import io.meridian.replication.KeyState;
import io.meridian.replication.KeyUpdate;
import io.meridian.replication.LogEntry;
import io.meridian.replication.StateSnapshot;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The simulator's application: each key holds the set of update ids applied to it (a grow-only set)
 * and a last-writer-wins register ordered by (HLC, origin). That state makes the checks exact: the
 * visible update ids are precisely the visible updates.
 *
 * <p>Two workloads. In the model workload the effect of a key update is 4 bytes of ordinal and one
 * byte saying whether it also assigns the register. In the CRDT workload the effect is a real CRDT
 * effect ({@link CrdtRegistry#encodeEffect}); the key then also holds a {@link CrdtState}, applied
 * with {@link CrdtType#apply} and joined with {@link CrdtType#join} on install, and the update id
 * (entry dot plus position in the entry) is carried beside it so that S1 stays exact.
 */
final class SimulatedApplication implements ApplicationState {
  /** The state of one key. */
  static final class KeyModel {
    final TreeSet<UpdateId> ids;
    long registerHlc = -1;
    String registerOrigin = "";
    UpdateId registerValue;

    /** The CRDT state of the key in the CRDT workload; null in the model workload. */
    CrdtState crdt;

    /** {@link #encode()}, until the next change. */
    private byte[] encoded;

    KeyModel() {
      ids = new TreeSet<>();
    }

    KeyModel(KeyModel other) {
      ids = new TreeSet<>(other.ids);
      registerHlc = other.registerHlc;
      registerOrigin = other.registerOrigin;
      registerValue = other.registerValue;
      crdt = other.crdt;
      encoded = other.encoded;
    }

    boolean addId(UpdateId id) {
      boolean added = ids.add(id);
      if (added) {
        encoded = null;
      }
      return added;
    }

    void setCrdt(CrdtState state) {
      crdt = state;
      encoded = null;
    }

    boolean assign(long hlc, String origin, UpdateId value) {
      int order =
          hlc != registerHlc ? Long.compare(hlc, registerHlc) : origin.compareTo(registerOrigin);
      if (order > 0) {
        encoded = null;
        registerHlc = hlc;
        registerOrigin = origin;
        registerValue = value;
        return true;
      }
      return false;
    }

    byte[] encode() {
      if (encoded == null) {
        encoded = encodeFresh();
      }
      return encoded;
    }

    /** The CRDT state's bytes, or an empty array in the model workload. */
    byte[] crdtBytes() {
      return crdt == null ? new byte[0] : CrdtRegistry.encodeState(crdt);
    }

    private byte[] encodeFresh() {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (DataOutputStream out = new DataOutputStream(bytes)) {
        out.writeInt(ids.size());
        for (UpdateId id : ids) {
          writeId(out, id);
        }
        out.writeBoolean(registerValue != null);
        if (registerValue != null) {
          out.writeLong(registerHlc);
          out.writeUTF(registerOrigin);
          writeId(out, registerValue);
        }
        out.writeBoolean(crdt != null);
        if (crdt != null) {
          byte[] state = CrdtRegistry.encodeState(crdt);
          out.writeInt(state.length);
          out.write(state);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return bytes.toByteArray();
    }

    static KeyModel decode(byte[] state) {
      KeyModel model = new KeyModel();
      try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(state))) {
        int count = in.readInt();
        for (int i = 0; i < count; i++) {
          model.ids.add(readId(in));
        }
        if (in.readBoolean()) {
          model.registerHlc = in.readLong();
          model.registerOrigin = in.readUTF();
          model.registerValue = readId(in);
        }
        if (in.readBoolean()) {
          model.crdt = CrdtRegistry.decodeState(in.readNBytes(in.readInt()));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return model;
    }

    private static void writeId(DataOutputStream out, UpdateId id) throws IOException {
      out.writeUTF(id.origin());
      out.writeLong(id.seq());
      out.writeInt(id.ordinal());
    }

    private static UpdateId readId(DataInputStream in) throws IOException {
      return new UpdateId(in.readUTF(), in.readLong(), in.readInt());
    }
  }

  private final boolean crdtEffects;
  private final TreeMap<String, KeyModel> keys;
  private final HashMap<Dot, Integer> visibleUpdatesPerEntry;
  private VersionVector visiblePrefix;
  private final HashMap<String, Long> visibleEntriesPerOrigin;
  private final List<Dot> newlyVisible = new ArrayList<>();

  /** An application of the model workload. */
  SimulatedApplication() {
    this(false);
  }

  /**
   * @param crdtEffects true when effects are CRDT effects (the CRDT workload)
   */
  SimulatedApplication(boolean crdtEffects) {
    this.crdtEffects = crdtEffects;
    keys = new TreeMap<>();
    visibleUpdatesPerEntry = new HashMap<>();
    visiblePrefix = VersionVector.empty();
    visibleEntriesPerOrigin = new HashMap<>();
  }

  private SimulatedApplication(SimulatedApplication other) {
    crdtEffects = other.crdtEffects;
    keys = new TreeMap<>();
    other.keys.forEach((name, model) -> keys.put(name, new KeyModel(model)));
    visibleUpdatesPerEntry = new HashMap<>(other.visibleUpdatesPerEntry);
    visiblePrefix = other.visiblePrefix;
    visibleEntriesPerOrigin = new HashMap<>(other.visibleEntriesPerOrigin);
  }

  /** A deep copy: what a checkpoint keeps. */
  SimulatedApplication copy() {
    return new SimulatedApplication(this);
  }

  static String keyName(String bucket, String key) {
    return bucket + "\u0000" + key;
  }

  static byte[] effect(int ordinal, boolean assigns) {
    return ByteBuffer.allocate(5).putInt(ordinal).put((byte) (assigns ? 1 : 0)).array();
  }

  /** Applies an entry, all its keys at once. */
  void apply(LogEntry entry) {
    if (crdtEffects) {
      applyCrdt(entry);
      return;
    }
    for (KeyUpdate update : entry.updates()) {
      ByteBuffer effect = ByteBuffer.wrap(update.effect());
      int ordinal = effect.getInt();
      boolean assigns = effect.get() == 1;
      UpdateId id = new UpdateId(entry.origin(), entry.seq(), ordinal);
      KeyModel model =
          keys.computeIfAbsent(keyName(update.bucket(), update.key()), k -> new KeyModel());
      if (model.addId(id)) {
        becameVisible(id);
      }
      if (assigns) {
        model.assign(entry.hlc(), entry.origin(), id);
      }
    }
  }

  /** Applies an entry of CRDT effects with {@link CrdtType#apply}, all its keys at once. */
  private void applyCrdt(LogEntry entry) {
    List<KeyUpdate> updates = entry.updates();
    for (int ordinal = 0; ordinal < updates.size(); ordinal++) {
      KeyUpdate update = updates.get(ordinal);
      Effect effect = CrdtRegistry.decodeEffect(update.effect());
      CrdtType type = CrdtRegistry.type(effect.typeName());
      KeyModel model =
          keys.computeIfAbsent(keyName(update.bucket(), update.key()), k -> new KeyModel());
      model.setCrdt(
          type.apply(model.crdt == null ? type.empty() : model.crdt, effect, entry.dot()));
      UpdateId id = new UpdateId(entry.origin(), entry.seq(), ordinal);
      if (model.addId(id)) {
        becameVisible(id);
      }
    }
  }

  /** The CRDT state of a key, or null when no update of it is visible. */
  CrdtState crdtState(String keyName) {
    KeyModel model = keys.get(keyName);
    return model == null ? null : model.crdt;
  }

  /** Replaces a key's CRDT state (with a folded one). */
  void replaceCrdtState(String keyName, CrdtState state) {
    keys.get(keyName).setCrdt(state);
  }

  /** Joins a state transfer into the key states; the caller does it in one step. */
  void install(StateSnapshot snapshot) {
    for (KeyState state : snapshot.keyStates()) {
      KeyModel incoming = KeyModel.decode(state.state());
      KeyModel model =
          keys.computeIfAbsent(keyName(state.bucket(), state.key()), k -> new KeyModel());
      for (UpdateId id : incoming.ids) {
        if (model.addId(id)) {
          becameVisible(id);
        }
      }
      if (incoming.crdt != null) {
        model.setCrdt(
            model.crdt == null
                ? incoming.crdt
                : CrdtRegistry.typeOf(incoming.crdt).join(model.crdt, incoming.crdt));
      }
      if (incoming.registerValue != null) {
        model.assign(incoming.registerHlc, incoming.registerOrigin, incoming.registerValue);
      }
    }
  }

  private void becameVisible(UpdateId id) {
    Dot dot = id.dot();
    if (visibleUpdatesPerEntry.merge(dot, 1, Integer::sum) == 1) {
      newlyVisible.add(dot);
      visibleEntriesPerOrigin.merge(dot.replica(), 1L, Long::sum);
      long prefix = visiblePrefix.get(dot.replica());
      while (visibleUpdatesPerEntry.containsKey(new Dot(dot.replica(), prefix + 1))) {
        prefix++;
      }
      visiblePrefix = visiblePrefix.with(dot.replica(), prefix);
    }
  }

  /** Per origin, the longest run of visible entries from seq 1. */
  VersionVector visiblePrefix() {
    return visiblePrefix;
  }

  /** True when the visible entries are exactly a prefix per origin (no holes). */
  boolean visibleEntriesAreDense() {
    for (Map.Entry<String, Long> origin : visibleEntriesPerOrigin.entrySet()) {
      if (origin.getValue() != visiblePrefix.get(origin.getKey())) {
        return false;
      }
    }
    return true;
  }

  int visibleUpdatesOf(Dot dot) {
    return visibleUpdatesPerEntry.getOrDefault(dot, 0);
  }

  boolean isVisible(String keyName, UpdateId id) {
    KeyModel model = keys.get(keyName);
    return model != null && model.ids.contains(id);
  }

  /** Dots that became visible since the last call. */
  List<Dot> drainNewlyVisible() {
    List<Dot> result = new ArrayList<>(newlyVisible);
    newlyVisible.clear();
    return result;
  }

  Set<Dot> visibleDots() {
    return visibleUpdatesPerEntry.keySet();
  }

  TreeMap<String, KeyModel> keys() {
    return keys;
  }

  /** The update ids and register of each key, without the CRDT state, for comparing regions. */
  TreeMap<String, String> modelFingerprint() {
    TreeMap<String, String> result = new TreeMap<>();
    keys.forEach(
        (name, model) -> {
          KeyModel withoutCrdt = new KeyModel(model);
          withoutCrdt.setCrdt(null);
          result.put(name, java.util.HexFormat.of().formatHex(withoutCrdt.encode()));
        });
    return result;
  }

  /** The encoded key states, for comparing regions. */
  TreeMap<String, String> fingerprint() {
    TreeMap<String, String> result = new TreeMap<>();
    keys.forEach(
        (name, model) -> result.put(name, java.util.HexFormat.of().formatHex(model.encode())));
    return result;
  }

  @Override
  public List<byte[]> rangeDigests(int rangeCount) {
    MessageDigest[] digests = new MessageDigest[rangeCount];
    for (int i = 0; i < rangeCount; i++) {
      digests[i] = sha256();
    }
    keys.forEach(
        (name, model) -> {
          int split = name.indexOf('\u0000');
          String bucket = name.substring(0, split);
          String key = name.substring(split + 1);
          MessageDigest digest = digests[KeyRanges.rangeOf(bucket, key, rangeCount)];
          digest.update(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
          digest.update((byte) 0);
          digest.update(model.encode());
        });
    List<byte[]> result = new ArrayList<>(rangeCount);
    for (MessageDigest digest : digests) {
      result.add(digest.digest());
    }
    return result;
  }

  @Override
  public List<KeyState> keyStates(Set<Integer> ranges, int rangeCount) {
    List<KeyState> result = new ArrayList<>();
    keys.forEach(
        (name, model) -> {
          int split = name.indexOf('\u0000');
          String bucket = name.substring(0, split);
          String key = name.substring(split + 1);
          if (ranges.contains(KeyRanges.rangeOf(bucket, key, rangeCount))) {
            result.add(new KeyState(bucket, key, model.encode()));
          }
        });
    return result;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
