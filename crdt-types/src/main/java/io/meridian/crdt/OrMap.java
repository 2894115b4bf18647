package io.meridian.crdt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.clocks.CausalContext;
import io.meridian.clocks.Dot;
import io.meridian.clocks.VersionVector;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The observed-remove map: fields hold a state of any type, or-maps included, nested to a bounded
 * depth (Almeida, Shoker and Baquero, 2018, section 6.4). Every update of a field adds a presence
 * tag; a remove drops the presence tags it observed and removes what it observed inside the field,
 * so an update concurrent with the remove survives (the update wins), and a field added again shows
 * only what came after the remove. A field keeps the type of its first update; should two regions
 * first update one field with different types at once, the type with the smaller protobuf tag is
 * kept everywhere. Immutable; {@code equals} is structural.
 */
public final class OrMap implements CrdtState {
  static final String NAME = "or-map";

  private final DotStore<String> presence;
  private final SortedMap<String, CrdtState> fields;

  OrMap(DotStore<String> presence, SortedMap<String, CrdtState> fields) {
    this.presence = Objects.requireNonNull(presence);
    this.fields = Collections.unmodifiableSortedMap(new TreeMap<>(fields));
  }

  DotStore<String> presence() {
    return presence;
  }

  SortedMap<String, CrdtState> fields() {
    return fields;
  }

  /** The fields shown, in name order, with their states. */
  public SortedMap<String, CrdtState> visibleFields() {
    java.util.Set<Dot> duplicates = presence.duplicateTags();
    TreeSet<String> present = new TreeSet<>();
    presence
        .entries()
        .forEach(
            (tag, field) -> {
              if (!duplicates.contains(tag)) {
                present.add(field);
              }
            });
    TreeMap<String, CrdtState> visible = new TreeMap<>();
    present.forEach(name -> visible.put(name, fields.get(name)));
    return visible;
  }

  @Override
  public String typeName() {
    return NAME;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof OrMap map && presence.equals(map.presence) && fields.equals(map.fields);
  }

  @Override
  public int hashCode() {
    return 31 * presence.hashCode() + fields.hashCode();
  }

  @Override
  public String toString() {
    return NAME + presence + fields;
  }

  /**
   * One field's part of a map effect: a nested effect, or the context a removal observed.
   *
   * @param field the field name
   * @param update the nested effect, or null for a removal
   * @param removal the observed context of a removal, or null for an update
   */
  public record FieldChange(String field, Effect update, CausalContext removal) {}

  /**
   * A map's effect.
   *
   * @param changes the field changes, in field order
   * @param ordinal the first tag ordinal the effect uses within its log entry
   * @param operationId the client's operation id, or null
   */
  public record MapEffect(List<FieldChange> changes, int ordinal, String operationId)
      implements Effect {
    public MapEffect {
      changes = List.copyOf(changes);
    }

    @Override
    public String typeName() {
      return NAME;
    }
  }

  static final class Type extends AbstractType<OrMap, MapEffect> {
    Type() {
      super(NAME, 9, OrMap.class, MapEffect.class);
    }

    @Override
    public Delivery delivery() {
      return Delivery.CAUSAL_EXACTLY_ONCE;
    }

    @Override
    OrMap emptyTyped() {
      return new OrMap(DotStore.empty(), new TreeMap<>());
    }

    @Override
    Optional<MapEffect> prepareTyped(OrMap state, Operation operation, UpdateContext context) {
      if (context.operationId() != null && state.presence.hasOperationId(context.operationId())) {
        return Optional.empty();
      }
      int ordinal = Tags.nextOrdinal(state.presence.context(), context.dot());
      // The op id goes down too, so a nested operation-based field neutralises a concurrent
      // duplicate the way a top-level one does.
      UpdateContext nested = context;
      List<FieldChange> changes = new ArrayList<>();
      if (operation instanceof Operation.UpdateFields update) {
        for (Map.Entry<String, Operation> entry : new TreeMap<>(update.entries()).entrySet()) {
          AbstractType<?, ?> type = CrdtRegistry.internalType(entry.getValue().typeName());
          CrdtState current = state.fields.get(entry.getKey());
          if (current != null && !current.typeName().equals(type.name())) {
            throw new CrdtRequestException(
                ErrorCode.TYPE_MISMATCH,
                "field "
                    + entry.getKey()
                    + " holds a "
                    + current.typeName()
                    + ", not a "
                    + type.name());
          }
          Optional<Effect> effect =
              type.prepare(current == null ? type.empty() : current, entry.getValue(), nested);
          effect.ifPresent(
              nestedEffect -> changes.add(new FieldChange(entry.getKey(), nestedEffect, null)));
        }
      } else if (operation instanceof Operation.RemoveFields remove) {
        // A client's context may name tags of entries this region has not applied yet. Those
        // entries are not causally before the remove, so each region would apply them on the
        // other side of it: the remove would take them away where they came first and leave them
        // where they came later (the fields share one presence context, so the removal cannot
        // simply remember the tags it names). The remove takes only what this region holds, which
        // every region holds too when it applies the remove.
        CausalContext current = observedTyped(state);
        CausalContext observed =
            context.observed() == null ? current : Contexts.intersect(context.observed(), current);
        for (String field : new TreeSet<>(remove.fields())) {
          changes.add(new FieldChange(field, null, observed));
        }
      } else {
        throw JsonMapping.wrongOperation(NAME, operation);
      }
      return Optional.of(new MapEffect(changes, ordinal, context.operationId()));
    }

    @Override
    OrMap applyTyped(OrMap state, MapEffect effect, Dot entryDot) {
      Dot first = Tags.of(entryDot, effect.ordinal());
      if (state.presence.context().contains(first)) {
        return state;
      }
      TreeMap<String, CrdtState> fields = new TreeMap<>(state.fields);
      TreeMap<Dot, String> added = new TreeMap<>();
      TreeMap<Dot, String> ids = new TreeMap<>();
      CausalContext seen = CausalContext.empty();
      int ordinal = effect.ordinal();
      for (FieldChange change : effect.changes()) {
        CrdtState current = fields.get(change.field());
        if (change.update() != null) {
          Dot tag = Tags.of(entryDot, ordinal++);
          added.put(tag, change.field());
          seen = seen.add(tag);
          if (effect.operationId() != null) {
            // So that a neutralised duplicate does not show the field either.
            ids.put(tag, effect.operationId());
          }
          AbstractType<?, ?> type = CrdtRegistry.internalType(change.update().typeName());
          if (current != null && !current.typeName().equals(type.name())) {
            if (CrdtRegistry.internalType(current.typeName()).tag() < type.tag()) {
              continue;
            }
            current = null;
          }
          CrdtState base = current == null ? type.empty() : current;
          fields.put(change.field(), type.apply(base, change.update(), entryDot));
        } else if (current != null) {
          fields.put(
              change.field(),
              CrdtRegistry.internalType(current.typeName())
                  .removeObserved(current, change.removal(), entryDot));
        }
      }
      DotStore<String> presence = state.presence;
      for (FieldChange change : effect.changes()) {
        if (change.removal() != null) {
          presence =
              presence.join(
                  presence.removalDeltaOf(List.of(change.field()), change.removal()),
                  (left, right) -> left);
        }
      }
      if (effect.operationId() != null) {
        Dot idTag = Tags.of(entryDot, ordinal);
        ids.put(idTag, effect.operationId());
        seen = seen.add(idTag);
      }
      seen = seen.add(first);
      presence = presence.join(new DotStore<>(added, ids, seen), (left, right) -> left);
      return new OrMap(presence, fields);
    }

    @Override
    OrMap joinTyped(OrMap left, OrMap right) {
      if (left == right) {
        return left;
      }
      TreeMap<String, CrdtState> fields = new TreeMap<>(left.fields);
      right.fields.forEach((name, theirs) -> fields.merge(name, theirs, Type::joinField));
      return new OrMap(left.presence.join(right.presence, (first, second) -> first), fields);
    }

    private static CrdtState joinField(CrdtState mine, CrdtState theirs) {
      AbstractType<?, ?> myType = CrdtRegistry.internalType(mine.typeName());
      AbstractType<?, ?> theirType = CrdtRegistry.internalType(theirs.typeName());
      if (myType != theirType) {
        return myType.tag() < theirType.tag() ? mine : theirs;
      }
      return myType.join(mine, theirs);
    }

    @Override
    OrMap foldTyped(OrMap state, VersionVector stable) {
      TreeMap<String, CrdtState> fields = new TreeMap<>();
      state.fields.forEach(
          (name, nested) ->
              fields.put(
                  name, CrdtRegistry.internalType(nested.typeName()).foldNested(nested, stable)));
      // A stable neutralised duplicate's presence goes before its op id does, or the field would
      // show again once the id folds away.
      VersionVector stableTags = Tags.stableTags(stable);
      java.util.Set<Dot> duplicates = state.presence.duplicateTags();
      TreeMap<Dot, String> presence = new TreeMap<>();
      state
          .presence
          .entries()
          .forEach(
              (tag, field) -> {
                if (!duplicates.contains(tag) || !stableTags.contains(tag)) {
                  presence.put(tag, field);
                }
              });
      return new OrMap(state.presence.withEntries(presence).fold(stable), fields);
    }

    @Override
    JsonNode valueTyped(OrMap state) {
      ObjectNode object = CanonicalJson.NODES.objectNode();
      state
          .visibleFields()
          .forEach(
              (name, nested) ->
                  object.set(name, CrdtRegistry.internalType(nested.typeName()).value(nested)));
      return object;
    }

    @Override
    CausalContext observedTyped(OrMap state) {
      CausalContext observed = state.presence.context();
      for (CrdtState nested : state.fields.values()) {
        observed =
            observed.merge(CrdtRegistry.internalType(nested.typeName()).observedContext(nested));
      }
      return observed;
    }

    @Override
    OrMap removeObservedTyped(OrMap state, CausalContext observed, Dot removalDot) {
      TreeMap<String, CrdtState> fields = new TreeMap<>();
      state.fields.forEach(
          (name, nested) ->
              fields.put(
                  name,
                  CrdtRegistry.internalType(nested.typeName())
                      .removeObserved(nested, observed, removalDot)));
      return new OrMap(state.presence.withoutObserved(observed), fields);
    }

    @Override
    boolean isEmptyTyped(OrMap state) {
      return state.presence.entries().isEmpty();
    }
  }
}
