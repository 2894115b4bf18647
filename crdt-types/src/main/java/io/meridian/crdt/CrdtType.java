package io.meridian.crdt;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.clocks.CausalContext;
import io.meridian.clocks.Dot;
import io.meridian.clocks.VersionVector;
import java.util.Optional;

/**
 * One CRDT type of the API's table, as the store uses it. All methods are pure functions of their
 * arguments. Get one from {@link CrdtRegistry}; encode and decode through {@link CrdtRegistry}'s
 * codec methods.
 *
 * <p>The life of an update: at the origin, {@link #prepare} turns a parsed {@link Operation} into
 * an {@link Effect} against the key's current state; every region, the origin included, then {@link
 * #apply}s the effect once, in causal order. Full states meet through {@link #join} (state
 * transfer, checkpoints) and shed metadata through {@link #fold} once it is stable.
 */
public interface CrdtType {
  /** The API name, e.g. {@code "pn-counter"}. */
  String name();

  /** The protobuf tag that names the type in encoded states and effects; never reused. */
  int tag();

  /** The state of a key nobody has updated. */
  CrdtState empty();

  /**
   * Binds an operation to the current state at the origin. Returns empty when the context's
   * operation id is already in the state (the update was applied before: answer with the current
   * object and apply nothing).
   *
   * @throws CrdtRequestException when the operation does not fit the state (a list index past the
   *     end, a field of another type, a counter that would overflow, a wrong type)
   */
  Optional<Effect> prepare(CrdtState state, Operation operation, UpdateContext context);

  /**
   * Applies an effect made by {@link #prepare} with the log entry dot {@code entryDot}. Pure and
   * deterministic: every region computes the same state.
   */
  CrdtState apply(CrdtState state, Effect effect, Dot entryDot);

  /** The least upper bound of two states: commutative, associative, idempotent. */
  CrdtState join(CrdtState left, CrdtState right);

  /**
   * Folds away metadata that only updates concurrent with the stable ones could still need. The
   * value never changes. {@code stable} must be settled: every entry at or below it has been
   * applied everywhere, and this state has applied every entry concurrent with one of those (the
   * replication layer gets this by passing a stable vector once its applied vector covers the
   * acknowledgements that made it stable). Op-based types and remove-wins sets rely on it.
   */
  CrdtState fold(CrdtState state, VersionVector stable);

  /** The value as the API's JSON. */
  JsonNode value(CrdtState state);

  /**
   * Every tag the state has seen: what a remove that carries this context removes. Encoded for
   * clients by {@link CrdtRegistry#encodeContext}.
   */
  CausalContext observedContext(CrdtState state);
}
