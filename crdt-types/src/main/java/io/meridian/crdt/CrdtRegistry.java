package io.meridian.crdt;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.clocks.CausalContext;
import io.meridian.clocks.ClocksCodec;
import io.meridian.clocks.DecodeException;
import io.meridian.clocks.HlcTimestamp;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one entry point of the module: the API's type names mapped to {@link CrdtType}s and their
 * protobuf tags, request parsing, the opaque {@code context} strings, and the codecs of states and
 * effects (deterministic protobuf; decoders raise only {@link DecodeException}).
 */
public final class CrdtRegistry {
  /** The default bound on or-map nesting, as the API states it. */
  public static final int NESTING_DEPTH_DEFAULT = 16;

  /** The deepest or-map nesting any bound may allow; {@link #elementsOf} walks no deeper. */
  public static final int NESTING_DEPTH_CEILING = 64;

  /** The default context expiry T: ten minutes. */
  public static final long CONTEXT_EXPIRY_MILLIS_DEFAULT = 10 * 60 * 1000L;

  /** The largest context expiry: a year, far below what the HLC's physical part can hold. */
  public static final long CONTEXT_EXPIRY_MILLIS_MAX = 366L * 24 * 60 * 60 * 1000;

  /** T in packed HLC units (milliseconds shifted past the logical bits). */
  private static volatile long contextExpiryHlc =
      CONTEXT_EXPIRY_MILLIS_DEFAULT << HlcTimestamp.LOGICAL_BITS;

  private static final Map<String, AbstractType<?, ?>> BY_NAME = new LinkedHashMap<>();
  private static final Map<Integer, AbstractType<?, ?>> BY_TAG = new LinkedHashMap<>();

  static {
    register(new Counter.Type(Counter.G_COUNTER, 1));
    register(new Counter.Type(Counter.PN_COUNTER, 2));
    register(new LwwRegister.Type());
    register(new MvRegister.Type());
    register(new EwFlag.Type());
    register(new GSet.Type());
    register(new AwSet.Type());
    register(new RwSet.Type());
    register(new OrMap.Type());
    register(new RgaList.Type());
  }

  private CrdtRegistry() {}

  private static void register(AbstractType<?, ?> type) {
    BY_NAME.put(type.name(), type);
    BY_TAG.put(type.tag(), type);
  }

  /** Every type, in tag order (the order in which a key's conflicting types are ranked). */
  public static Collection<CrdtType> types() {
    return Collections.unmodifiableCollection(BY_NAME.values());
  }

  /**
   * The type with API name {@code name}.
   *
   * @throws CrdtRequestException ({@code bad_request}) for an unknown name
   */
  public static CrdtType type(String name) {
    return internalType(name);
  }

  /** The type of a state. */
  public static CrdtType typeOf(CrdtState state) {
    return internalType(state.typeName());
  }

  static AbstractType<?, ?> internalType(String name) {
    AbstractType<?, ?> type = name == null ? null : BY_NAME.get(name);
    if (type == null) {
      throw new CrdtRequestException(ErrorCode.BAD_REQUEST, "unknown type " + name);
    }
    return type;
  }

  static AbstractType<?, ?> typeByTag(int tag) {
    AbstractType<?, ?> type = BY_TAG.get(tag);
    if (type == null) {
      throw new DecodeException("unknown CRDT type tag " + tag);
    }
    return type;
  }

  /**
   * Sets the context expiry T, for the whole process: an or-map field remove whose context missed
   * an update of a named field made more than T before the remove (by HLC time) is refused with
   * {@link ErrorCode#CONTEXT_EXPIRED}, and the fold sums a field's counter increments older than T.
   * Every region of a deployment must use the same T, and it must never shrink while states exist:
   * a region whose T is smaller than the one that summed an increment would accept a remove that
   * cuts into the sum. Set it once, before the first operation.
   *
   * @throws IllegalArgumentException for a T below 1 ms or above {@link #CONTEXT_EXPIRY_MILLIS_MAX}
   */
  public static void configureContextExpiryMillis(long millis) {
    if (millis < 1 || millis > CONTEXT_EXPIRY_MILLIS_MAX) {
      throw new IllegalArgumentException(
          "the context expiry must be 1 to " + CONTEXT_EXPIRY_MILLIS_MAX + " ms: " + millis);
    }
    contextExpiryHlc = millis << HlcTimestamp.LOGICAL_BITS;
  }

  /** The context expiry T in milliseconds (rounded down from HLC units). */
  public static long contextExpiryMillis() {
    return contextExpiryHlc >>> HlcTimestamp.LOGICAL_BITS;
  }

  /** T in packed HLC units, as the types compare timestamps. */
  static long contextExpiryHlc() {
    return contextExpiryHlc;
  }

  /**
   * Sets T in packed HLC units, for tests that age increments in a few units; returns the previous
   * value.
   */
  static long configureContextExpiryHlc(long units) {
    if (units < 1) {
      throw new IllegalArgumentException("the context expiry must be positive: " + units);
    }
    long previous = contextExpiryHlc;
    contextExpiryHlc = units;
    return previous;
  }

  /**
   * Parses an update request {@code {"type", "op", ...}} with the default nesting bound.
   *
   * @throws CrdtRequestException ({@code bad_request}) for an unknown type or op, a missing or
   *     wrongly typed argument, a negative g-counter increment, or nesting deeper than the bound
   */
  public static Operation parseUpdate(JsonNode request) {
    return parseUpdate(request, NESTING_DEPTH_DEFAULT);
  }

  /** Parses an update request, allowing {@code nestingDepthMax} levels (1: no nested map). */
  public static Operation parseUpdate(JsonNode request, int nestingDepthMax) {
    return JsonMapping.parse(request, nestingDepthMax);
  }

  /**
   * The elements an update request carries, over its whole tree: the items of its {@code elements},
   * {@code values} and {@code fields} arrays, and its or-map {@code entries} with theirs. Cheap, so
   * a caller can refuse an oversized update before parsing it; malformed shapes count as nothing
   * and nesting past {@link #NESTING_DEPTH_CEILING} is not walked (the parser refuses both).
   */
  public static long elementsOf(JsonNode request) {
    return JsonMapping.elementsOf(request, 0);
  }

  /**
   * The operation id an update request carries ({@code "id"}), or null when it carries none (a JSON
   * null counts as absent).
   *
   * @throws CrdtRequestException ({@code bad_request}) for an id that is not a string of 1 to 128
   *     bytes of printable ASCII
   */
  public static String parseOperationId(JsonNode request) {
    String id = JsonMapping.optionalText(request, "id");
    return id == null ? null : JsonMapping.requireOperationId(id);
  }

  /**
   * The causal context an update request says its client observed ({@code "context"}, a string from
   * an earlier read), or null when it carries none (a JSON null counts as absent).
   *
   * @throws CrdtRequestException ({@code bad_request}) for a context that is not a string or not
   *     one {@link #encodeContext} made
   */
  public static CausalContext parseObservedContext(JsonNode request) {
    String context = JsonMapping.optionalText(request, "context");
    return context == null ? null : decodeContext(context);
  }

  /**
   * The client sequence an update or a batch carries ({@code "client"}, {@code "seq"}), or null
   * when it carries neither.
   *
   * @throws CrdtRequestException ({@code bad_request}) for one without the other, a client id that
   *     is not 1 to 64 characters of {@code [A-Za-z0-9_-]}, a seq that is not a JSON integer from 1
   *     to 2^53, or a client sequence next to an {@code "id"}
   */
  public static ClientSequence parseClientSequence(JsonNode request) {
    return JsonMapping.clientSequence(request);
  }

  /** The {@code context} string a read returns: base64url of a versioned protobuf. */
  public static String encodeContext(CausalContext context) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(ClocksCodec.encode(context));
  }

  /**
   * Decodes a client's {@code context} string.
   *
   * @throws CrdtRequestException ({@code bad_request}) for a malformed or foreign string
   */
  public static CausalContext decodeContext(String text) {
    try {
      return ClocksCodec.decodeCausalContext(Base64.getUrlDecoder().decode(text));
    } catch (IllegalArgumentException | DecodeException e) {
      throw new CrdtRequestException(ErrorCode.BAD_REQUEST, "malformed context: " + e.getMessage());
    }
  }

  /** Encodes a state, deterministically: equal states give equal bytes. */
  public static byte[] encodeState(CrdtState state) {
    return CrdtCodec.encodeState(state);
  }

  /** Decodes a state; any bad input is a {@link DecodeException}. */
  public static CrdtState decodeState(byte[] bytes) {
    return CrdtCodec.decodeState(bytes);
  }

  /** Encodes an effect, deterministically. */
  public static byte[] encodeEffect(Effect effect) {
    return CrdtCodec.encodeEffect(effect);
  }

  /** Decodes an effect; any bad input is a {@link DecodeException}. */
  public static Effect decodeEffect(byte[] bytes) {
    return CrdtCodec.decodeEffect(bytes);
  }
}
