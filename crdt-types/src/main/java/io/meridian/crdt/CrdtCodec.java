package io.meridian.crdt;

import com.google.protobuf.InvalidProtocolBufferException;
import io.meridian.clocks.ClocksCodec;
import io.meridian.clocks.DecodeException;
import io.meridian.clocks.Dot;
import io.meridian.clocks.VersionVector;
import io.meridian.crdt.proto.ClientMarkProto;
import io.meridian.crdt.proto.EffectProto;
import io.meridian.crdt.proto.ElementCoverProto;
import io.meridian.crdt.proto.ElementProto;
import io.meridian.crdt.proto.EntryValueProto;
import io.meridian.crdt.proto.FieldEffectProto;
import io.meridian.crdt.proto.FieldProto;
import io.meridian.crdt.proto.ListElementProto;
import io.meridian.crdt.proto.OperationIdProto;
import io.meridian.crdt.proto.StateProto;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Protobuf codecs of states and effects, kept apart from the types. Maps and sets are written in
 * sorted order, so equal values give equal bytes; a decoder re-encodes what it read and rejects
 * bytes that are not exactly that canonical form, so a decoded value always round-trips. Decoders
 * raise only {@link DecodeException}.
 */
final class CrdtCodec {
  /** The format of states and effects that hold no client sequence and no client mark. */
  static final int FORMAT_VERSION = 1;

  /**
   * The format of states and effects that hold a client sequence or a client mark. Only those are
   * written in it, so what version 1 could say keeps its bytes and its readers.
   */
  static final int CLIENT_SEQUENCES_FORMAT_VERSION = 2;

  /**
   * The format of states and effects that hold an or-map field counter's HLC timestamps (its
   * entries keep them until the fold sums them); it may hold client sequences too. Only those are
   * written in it; versions 1 and 2 are read as before (their counter entries have no timestamp).
   */
  static final int COUNTER_TIMESTAMPS_FORMAT_VERSION = 3;

  private CrdtCodec() {}

  /** How one type's dot-store values map to and from {@link EntryValueProto}. */
  private record ValueCodec<V>(
      Function<V, EntryValueProto> write, Function<EntryValueProto, V> read) {}

  private static final ValueCodec<Element> ELEMENTS =
      new ValueCodec<>(
          element -> EntryValueProto.newBuilder().setElement(element(element)).build(),
          value -> element(value.getElement()));
  private static final ValueCodec<Boolean> FLAGS =
      new ValueCodec<>(flag -> EntryValueProto.getDefaultInstance(), value -> Boolean.TRUE);

  /** Values are canonical JSON text, checked on reading as every other stored JSON value is. */
  private static final ValueCodec<String> TEXTS =
      new ValueCodec<>(
          text -> EntryValueProto.newBuilder().setJson(text).build(),
          value -> CanonicalJson.text(CanonicalJson.parse(value.getJson())));

  private static final ValueCodec<OrMap.FieldKey> FIELD_KEYS =
      new ValueCodec<>(
          key ->
              EntryValueProto.newBuilder().setJson(key.name()).setFieldType(key.typeTag()).build(),
          value ->
              new OrMap.FieldKey(
                  value.getJson(), CrdtRegistry.typeByTag(value.getFieldType()).tag()));
  private static final ValueCodec<RwSet.Change> CHANGES =
      new ValueCodec<>(
          change ->
              EntryValueProto.newBuilder()
                  .setElement(element(change.element()))
                  .setRemoval(change.removal())
                  .build(),
          value -> new RwSet.Change(element(value.getElement()), value.getRemoval()));
  private static final ValueCodec<LwwRegister.Stamped> STAMPED =
      new ValueCodec<>(
          stamped ->
              EntryValueProto.newBuilder()
                  .setTimestamp(stamped.timestamp())
                  .setJson(stamped.value())
                  .build(),
          value ->
              new LwwRegister.Stamped(
                  ClocksCodec.requireHlc(value.getTimestamp()),
                  CanonicalJson.text(CanonicalJson.parse(value.getJson()))));
  private static final ValueCodec<Counter.Entry> AMOUNTS =
      new ValueCodec<>(
          entry ->
              EntryValueProto.newBuilder()
                  .setAmount(entry.amount())
                  .setConsolidated(entry.consolidated())
                  .setTimestamp(entry.hlc())
                  .build(),
          value ->
              new Counter.Entry(
                  value.getAmount(), value.getConsolidated(), counterTimestamp(value)));

  // ---- states

  static byte[] encodeState(CrdtState state) {
    StateProto proto = toProto(state);
    return proto.toBuilder()
        .setFormatVersion(formatVersion(holdsClientSequences(proto), holdsTimestamps(proto)))
        .build()
        .toByteArray();
  }

  static CrdtState decodeState(byte[] bytes) {
    try {
      StateProto proto = StateProto.parseFrom(bytes);
      requireFormatVersion(proto.getFormatVersion(), "CRDT state");
      CrdtState state = fromProto(proto);
      requireCanonical(bytes, encodeState(state), "CRDT state");
      return state;
    } catch (InvalidProtocolBufferException e) {
      throw new DecodeException("malformed CRDT state", e);
    } catch (DecodeException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new DecodeException("invalid CRDT state: " + e.getMessage(), e);
    }
  }

  static StateProto toProto(CrdtState state) {
    StateProto.Builder builder =
        StateProto.newBuilder().setTypeTag(CrdtRegistry.internalType(state.typeName()).tag());
    if (state instanceof GSet set) {
      writeStore(builder, set.store(), ELEMENTS);
    } else if (state instanceof AwSet set) {
      writeStore(builder, set.store(), ELEMENTS);
    } else if (state instanceof EwFlag flag) {
      writeStore(builder, flag.store(), FLAGS);
    } else if (state instanceof MvRegister register) {
      writeStore(builder, register.store(), TEXTS);
    } else if (state instanceof RwSet set) {
      writeStore(builder, set.store(), CHANGES);
      writeCovers(builder, set.covers());
    } else if (state instanceof LwwRegister register) {
      writeStore(builder, register.store(), STAMPED);
    } else if (state instanceof Counter counter) {
      writeStore(builder, counter.store(), AMOUNTS);
    } else if (state instanceof OrMap map) {
      writeStore(builder, map.presence(), FIELD_KEYS);
      map.fields()
          .forEach(
              (key, nested) ->
                  builder.addFields(
                      FieldProto.newBuilder().setName(key.name()).setState(toProto(nested))));
    } else if (state instanceof RgaList list) {
      builder.setContext(ClocksCodec.toProto(list.context()));
      writeIds(builder, list.operationIds());
      writeMarks(builder, list.marks());
      for (RgaList.Item item : list.items()) {
        ListElementProto.Builder element =
            ListElementProto.newBuilder()
                .setTag(ClocksCodec.toProto(item.tag()))
                .setLamport(item.lamport())
                .setJson(item.value());
        if (item.origin() != null) {
          element.setOrigin(ClocksCodec.toProto(item.origin()));
        }
        if (item.deletedBy() != null) {
          element.setDeletedBy(ClocksCodec.toProto(item.deletedBy()));
        }
        if (item.operationTag() != null) {
          element.setOperationTag(ClocksCodec.toProto(item.operationTag()));
        }
        builder.addListElements(element);
      }
    } else {
      throw new IllegalArgumentException("no codec for " + state);
    }
    return builder.build();
  }

  static CrdtState fromProto(StateProto proto) {
    AbstractType<?, ?> type = CrdtRegistry.typeByTag(proto.getTypeTag());
    return switch (type.name()) {
      case GSet.NAME -> new GSet(readStore(proto, ELEMENTS));
      case AwSet.NAME -> new AwSet(readStore(proto, ELEMENTS));
      case EwFlag.NAME -> new EwFlag(readStore(proto, FLAGS));
      case MvRegister.NAME -> new MvRegister(readStore(proto, TEXTS));
      case RwSet.NAME -> RwSet.of(readStore(proto, CHANGES), readCovers(proto));
      case LwwRegister.NAME -> new LwwRegister(readStore(proto, STAMPED));
      case Counter.G_COUNTER, Counter.PN_COUNTER ->
          new Counter(type.name(), readStore(proto, AMOUNTS));
      case OrMap.NAME -> {
        TreeMap<OrMap.FieldKey, CrdtState> fields = new TreeMap<>();
        for (FieldProto field : proto.getFieldsList()) {
          OrMap.FieldKey key = new OrMap.FieldKey(field.getName(), field.getState().getTypeTag());
          if (fields.put(key, fromProto(field.getState())) != null) {
            throw new DecodeException("duplicate or-map field " + field.getName());
          }
        }
        OrMap map = new OrMap(readStore(proto, FIELD_KEYS), fields);
        if (!map.isNormalized()) {
          throw new DecodeException(
              "an or-map keeps a nested state without presence that holds nothing, or a presence"
                  + " tag without its nested state");
        }
        yield map;
      }
      case RgaList.NAME -> {
        List<RgaList.Item> items = new ArrayList<>();
        for (ListElementProto element : proto.getListElementsList()) {
          items.add(
              new RgaList.Item(
                  ClocksCodec.fromProto(element.getTag()),
                  element.hasOrigin() ? ClocksCodec.fromProto(element.getOrigin()) : null,
                  element.getLamport(),
                  CanonicalJson.text(CanonicalJson.parse(element.getJson())),
                  element.hasDeletedBy() ? ClocksCodec.fromProto(element.getDeletedBy()) : null,
                  element.hasOperationTag()
                      ? ClocksCodec.fromProto(element.getOperationTag())
                      : null));
        }
        yield new RgaList(
            items, readIds(proto), ClocksCodec.fromProto(proto.getContext()), readMarks(proto));
      }
      default -> throw new DecodeException("no codec for type " + type.name());
    };
  }

  private static <V> void writeStore(
      StateProto.Builder builder, DotStore<V> store, ValueCodec<V> codec) {
    builder.setContext(ClocksCodec.toProto(store.context()));
    String replica = null;
    int count = 0;
    long previous = 0;
    for (Map.Entry<Dot, V> entry : store.entries().entrySet()) {
      Dot tag = entry.getKey();
      if (!tag.replica().equals(replica)) {
        if (replica != null) {
          builder.addEntryReplicaCounts(count);
        }
        replica = tag.replica();
        builder.addEntryReplicas(replica);
        count = 0;
        previous = 0;
      }
      builder.addEntryTagGaps(tag.counter() - previous);
      builder.addEntryValues(codec.write().apply(entry.getValue()));
      previous = tag.counter();
      count++;
    }
    if (replica != null) {
      builder.addEntryReplicaCounts(count);
    }
    writeIds(builder, store.operationIds());
    writeMarks(builder, store.marks());
  }

  private static void writeCovers(
      StateProto.Builder builder, SortedMap<Element, VersionVector> covers) {
    Map<VersionVector, Integer> vectors = new HashMap<>();
    covers.forEach(
        (element, cover) -> {
          Integer index = vectors.get(cover);
          if (index == null) {
            index = vectors.size();
            vectors.put(cover, index);
            builder.addRwSetCoverVectors(ClocksCodec.toProto(cover));
          }
          builder.addRwSetCovers(
              ElementCoverProto.newBuilder().setElement(element(element)).setVector(index));
        });
  }

  private static SortedMap<Element, VersionVector> readCovers(StateProto proto) {
    List<VersionVector> vectors = new ArrayList<>();
    proto.getRwSetCoverVectorsList().forEach(vector -> vectors.add(ClocksCodec.fromProto(vector)));
    TreeMap<Element, VersionVector> covers = new TreeMap<>();
    for (ElementCoverProto cover : proto.getRwSetCoversList()) {
      if (cover.getVector() >= vectors.size()) {
        throw new DecodeException("rw-set cover names no vector");
      }
      if (covers.put(element(cover.getElement()), vectors.get(cover.getVector())) != null) {
        throw new DecodeException("duplicate rw-set cover");
      }
    }
    return covers;
  }

  private static void writeIds(StateProto.Builder builder, SortedMap<Dot, String> ids) {
    ids.forEach(
        (tag, id) -> {
          OperationIdProto.Builder proto =
              OperationIdProto.newBuilder().setTag(ClocksCodec.toProto(tag));
          ClientSequence client = ClientSequence.fromOperationId(id);
          if (client == null) {
            proto.setId(id);
          } else {
            proto.setClient(client.client()).setClientSequence(client.sequence());
          }
          builder.addOperationIds(proto);
        });
  }

  private static void writeMarks(StateProto.Builder builder, ClientMarks marks) {
    marks
        .highest()
        .forEach(
            (client, sequence) ->
                builder.addClientMarks(
                    ClientMarkProto.newBuilder().setClient(client).setSequence(sequence)));
  }

  private static ClientMarks readMarks(StateProto proto) {
    TreeMap<String, Long> highest = new TreeMap<>();
    for (ClientMarkProto mark : proto.getClientMarksList()) {
      if (highest.put(mark.getClient(), mark.getSequence()) != null) {
        throw new DecodeException("two client marks of " + mark.getClient());
      }
    }
    return ClientMarks.of(highest);
  }

  /** The operation id of an id or a client sequence as written; null when it holds neither. */
  private static String operationId(String id, String client, long clientSequence) {
    if (!client.isEmpty()) {
      if (!id.isEmpty()) {
        throw new DecodeException("an operation id and a client sequence in one place");
      }
      return new ClientSequence(client, clientSequence).operationId();
    }
    return id.isEmpty() ? null : JsonMapping.requireOperationId(id);
  }

  private static <V> DotStore<V> readStore(StateProto proto, ValueCodec<V> codec) {
    if (proto.getEntriesCount() > 0) {
      throw new DecodeException("dot store items in the retired one-message-per-item form");
    }
    int items = proto.getEntryTagGapsCount();
    if (proto.getEntryReplicasCount() != proto.getEntryReplicaCountsCount()
        || proto.getEntryValuesCount() != items) {
      throw new DecodeException("dot store item columns differ in length");
    }
    List<Dot> tags = new ArrayList<>(items);
    List<V> values = new ArrayList<>(items);
    int item = 0;
    for (int i = 0; i < proto.getEntryReplicasCount(); i++) {
      String replica = proto.getEntryReplicas(i);
      int count = proto.getEntryReplicaCounts(i);
      if (count < 1 || count > items - item) {
        throw new DecodeException("bad item count for replica " + replica);
      }
      long counter = 0;
      for (int j = 0; j < count; j++, item++) {
        long gap = proto.getEntryTagGaps(item);
        if (gap < 1 || counter > Long.MAX_VALUE - gap) {
          throw new DecodeException("dot store tags not strictly ascending");
        }
        counter += gap;
        tags.add(new Dot(replica, counter));
        values.add(codec.read().apply(proto.getEntryValues(item)));
      }
    }
    if (item != items) {
      throw new DecodeException("dot store items not all named by a replica");
    }
    for (int i = 1; i < tags.size(); i++) {
      if (tags.get(i - 1).compareTo(tags.get(i)) >= 0) {
        throw new DecodeException("dot store replicas not strictly ascending");
      }
    }
    return new DotStore<>(
        PersistentSortedMap.fromSorted(null, tags, values),
        readIds(proto),
        ClocksCodec.fromProto(proto.getContext()),
        readMarks(proto));
  }

  private static SortedMap<Dot, String> readIds(StateProto proto) {
    TreeMap<Dot, String> ids = new TreeMap<>();
    for (OperationIdProto id : proto.getOperationIdsList()) {
      String operationId = operationId(id.getId(), id.getClient(), id.getClientSequence());
      if (operationId == null) {
        throw new DecodeException("an operation id entry without an id");
      }
      ids.put(ClocksCodec.fromProto(id.getTag()), operationId);
    }
    return ids;
  }

  static ElementProto element(Element element) {
    return switch (element.kind()) {
      case BOOLEAN -> ElementProto.newBuilder().setBoolean(element.booleanValue()).build();
      case NUMBER -> ElementProto.newBuilder().setNumber(element.numberValue().toString()).build();
      case STRING -> ElementProto.newBuilder().setText(element.stringValue()).build();
    };
  }

  private static Element element(ElementProto proto) {
    return switch (proto.getKindCase()) {
      case BOOLEAN -> Element.of(proto.getBoolean());
      case NUMBER -> Element.of(new BigDecimal(proto.getNumber()));
      case TEXT -> Element.of(proto.getText());
      case KIND_NOT_SET -> throw new DecodeException("set element without a kind");
    };
  }

  // ---- effects

  static byte[] encodeEffect(Effect effect) {
    EffectProto proto = toProto(effect);
    return proto.toBuilder()
        .setFormatVersion(formatVersion(holdsClientSequences(proto), holdsTimestamps(proto)))
        .build()
        .toByteArray();
  }

  static Effect decodeEffect(byte[] bytes) {
    try {
      EffectProto proto = EffectProto.parseFrom(bytes);
      requireFormatVersion(proto.getFormatVersion(), "CRDT effect");
      Effect effect = fromProto(proto);
      requireCanonical(bytes, encodeEffect(effect), "CRDT effect");
      return effect;
    } catch (InvalidProtocolBufferException e) {
      throw new DecodeException("malformed CRDT effect", e);
    } catch (DecodeException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new DecodeException("invalid CRDT effect: " + e.getMessage(), e);
    }
  }

  static EffectProto toProto(Effect effect) {
    EffectProto.Builder builder =
        EffectProto.newBuilder().setTypeTag(CrdtRegistry.internalType(effect.typeName()).tag());
    if (effect instanceof DeltaEffect delta) {
      builder.setDelta(toProto(delta.delta()));
    } else if (effect instanceof Counter.Increment increment) {
      builder
          .setAmount(increment.amount())
          .setOrdinal(increment.ordinal())
          .setTimestamp(increment.hlc());
      writeOperationId(builder, increment.operationId());
    } else if (effect instanceof RgaList.ListEffect list) {
      builder.setOrdinal(list.ordinal()).setLamport(list.insert() ? list.lamport() : 0);
      if (list.origin() != null) {
        builder.setOrigin(ClocksCodec.toProto(list.origin()));
      }
      builder.addAllValues(list.values());
      list.deletions().forEach(tag -> builder.addDeletions(ClocksCodec.toProto(tag)));
      writeOperationId(builder, list.operationId());
    } else if (effect instanceof OrMap.MapEffect map) {
      builder.setOrdinal(map.ordinal());
      writeOperationId(builder, map.operationId());
      for (OrMap.FieldChange change : map.changes()) {
        FieldEffectProto.Builder field = FieldEffectProto.newBuilder().setName(change.field());
        if (change.update() != null) {
          field.setUpdate(toProto(change.update()));
        } else {
          field.setRemoval(ClocksCodec.toProto(change.removal()));
        }
        builder.addFields(field);
      }
    } else {
      throw new IllegalArgumentException("no codec for " + effect);
    }
    return builder.build();
  }

  static Effect fromProto(EffectProto proto) {
    AbstractType<?, ?> type = CrdtRegistry.typeByTag(proto.getTypeTag());
    String id = operationId(proto.getOperationId(), proto.getClient(), proto.getClientSequence());
    requireOrdinal(proto.getOrdinal());
    return switch (type.name()) {
      case Counter.G_COUNTER, Counter.PN_COUNTER -> {
        if (type.name().equals(Counter.G_COUNTER) && proto.getAmount() < 0) {
          throw new DecodeException("negative g-counter increment");
        }
        long hlc = proto.getTimestamp() == 0 ? 0 : ClocksCodec.requireHlc(proto.getTimestamp());
        yield new Counter.Increment(type.name(), proto.getAmount(), proto.getOrdinal(), id, hlc);
      }
      case RgaList.NAME -> {
        boolean insert = proto.getLamport() > 0;
        List<Dot> deletions = new ArrayList<>();
        proto.getDeletionsList().forEach(tag -> deletions.add(ClocksCodec.fromProto(tag)));
        List<String> values = new ArrayList<>();
        proto
            .getValuesList()
            .forEach(text -> values.add(CanonicalJson.text(CanonicalJson.parse(text))));
        if (insert ? !deletions.isEmpty() : !values.isEmpty() || proto.hasOrigin()) {
          throw new DecodeException("list effect mixes insert and delete");
        }
        yield new RgaList.ListEffect(
            insert,
            proto.hasOrigin() ? ClocksCodec.fromProto(proto.getOrigin()) : null,
            proto.getLamport(),
            proto.getOrdinal(),
            values,
            deletions,
            id);
      }
      case OrMap.NAME -> {
        List<OrMap.FieldChange> changes = new ArrayList<>();
        for (FieldEffectProto field : proto.getFieldsList()) {
          if (field.hasUpdate() == field.hasRemoval()) {
            throw new DecodeException("a field change is an update or a removal");
          }
          changes.add(
              new OrMap.FieldChange(
                  field.getName(),
                  field.hasUpdate() ? fromProto(field.getUpdate()) : null,
                  field.hasRemoval() ? ClocksCodec.fromProto(field.getRemoval()) : null));
        }
        yield new OrMap.MapEffect(changes, proto.getOrdinal(), id);
      }
      default -> {
        if (!proto.hasDelta() || proto.getDelta().getTypeTag() != type.tag()) {
          throw new DecodeException("a " + type.name() + " effect needs a delta of its type");
        }
        yield new DeltaEffect(fromProto(proto.getDelta()));
      }
    };
  }

  private static void writeOperationId(EffectProto.Builder builder, String operationId) {
    if (operationId == null) {
      return;
    }
    ClientSequence client = ClientSequence.fromOperationId(operationId);
    if (client == null) {
      builder.setOperationId(operationId);
    } else {
      builder.setClient(client.client()).setClientSequence(client.sequence());
    }
  }

  // ---- format versions

  private static void requireFormatVersion(int version, String what) {
    if (version != FORMAT_VERSION
        && version != CLIENT_SEQUENCES_FORMAT_VERSION
        && version != COUNTER_TIMESTAMPS_FORMAT_VERSION) {
      throw new DecodeException("unknown " + what + " format version " + version);
    }
  }

  private static int formatVersion(boolean holdsClientSequences, boolean holdsTimestamps) {
    if (holdsTimestamps) {
      return COUNTER_TIMESTAMPS_FORMAT_VERSION;
    }
    return holdsClientSequences ? CLIENT_SEQUENCES_FORMAT_VERSION : FORMAT_VERSION;
  }

  /** A counter entry's timestamp: 0 (none) or a valid HLC timestamp. */
  private static long counterTimestamp(EntryValueProto value) {
    return value.getTimestamp() == 0 ? 0 : ClocksCodec.requireHlc(value.getTimestamp());
  }

  /** True when a counter state, here or nested, holds an entry with an HLC timestamp. */
  private static boolean holdsTimestamps(StateProto proto) {
    boolean counter =
        proto.getTypeTag() == CrdtRegistry.internalType(Counter.G_COUNTER).tag()
            || proto.getTypeTag() == CrdtRegistry.internalType(Counter.PN_COUNTER).tag();
    return counter
            && proto.getEntryValuesList().stream().anyMatch(value -> value.getTimestamp() != 0)
        || proto.getFieldsList().stream().anyMatch(field -> holdsTimestamps(field.getState()));
  }

  /** True when a counter increment, here or in a field change, carries an HLC timestamp. */
  private static boolean holdsTimestamps(EffectProto proto) {
    return proto.getTimestamp() != 0
        || proto.getFieldsList().stream().anyMatch(field -> holdsTimestamps(field.getUpdate()));
  }

  private static boolean holdsClientSequences(StateProto proto) {
    return proto.getClientMarksCount() > 0
        || proto.getOperationIdsList().stream().anyMatch(id -> !id.getClient().isEmpty())
        || proto.getFieldsList().stream().anyMatch(field -> holdsClientSequences(field.getState()));
  }

  private static boolean holdsClientSequences(EffectProto proto) {
    return !proto.getClient().isEmpty()
        || holdsClientSequences(proto.getDelta())
        || proto.getFieldsList().stream()
            .anyMatch(field -> holdsClientSequences(field.getUpdate()));
  }

  private static void requireOrdinal(int ordinal) {
    if (ordinal < 0 || ordinal >= Tags.ORDINALS_PER_DOT_MAX) {
      throw new DecodeException("tag ordinal out of range: " + ordinal);
    }
  }

  private static void requireCanonical(byte[] read, byte[] canonical, String what) {
    if (!Arrays.equals(read, canonical)) {
      throw new DecodeException(what + " is not in canonical form");
    }
  }
}
