package io.meridian.crdt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.clocks.CausalContext;
import io.meridian.clocks.Dot;
import io.meridian.clocks.HlcTimestamp;
import io.meridian.clocks.VersionVector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The context expiry T of or-map field removes, and the timestamps a field's counter keeps for it:
 * which removes are refused, what an accepted one takes, and the formats (3 for timestamps; 1 and 2
 * read as before). T is 1,000 ms here, timestamps are real packed HLCs.
 */
class ContextExpiryTest {
  private static final CrdtType MAP = CrdtRegistry.type(OrMap.NAME);
  private static final CrdtType COUNTER = CrdtRegistry.type(Counter.PN_COUNTER);
  private static final long SECOND = 1_000L << HlcTimestamp.LOGICAL_BITS;
  private static final long START = HlcTimestamp.pack(1_800_000_000_000L, 0);

  private long expiryBefore;

  @BeforeEach
  void configure() {
    expiryBefore = CrdtRegistry.configureContextExpiryHlc(SECOND);
  }

  @AfterEach
  void restore() {
    CrdtRegistry.configureContextExpiryHlc(expiryBefore);
  }

  private static CrdtState apply(CrdtState state, ObjectNode request, Dot dot, long hlc) {
    return apply(state, request, dot, hlc, null);
  }

  private static CrdtState apply(
      CrdtState state, ObjectNode request, Dot dot, long hlc, CausalContext seen) {
    Effect effect =
        MAP.prepare(
                state, CrdtRegistry.parseUpdate(request), new UpdateContext(dot, hlc, null, seen))
            .orElseThrow();
    return MAP.apply(state, CrdtRegistry.decodeEffect(CrdtRegistry.encodeEffect(effect)), dot);
  }

  @Test
  void aRemoveWhoseContextMissedAnUpdateOlderThanTIsRefusedAndChangesNothing() {
    Dot first = new Dot("east", 1);
    CrdtState state = apply(MAP.empty(), Requests.fieldIncrement("x", 1), first, START);
    CausalContext early = MAP.observedContext(state);
    Dot second = new Dot("east", 2);
    state = apply(state, Requests.fieldIncrement("x", 2), second, START + 1);
    CausalContext beforeRemove = MAP.observedContext(state);

    // Within T of the missed increment: accepted, takes what the read saw (x was 1 then).
    Dot removeSoon = new Dot("east", 3);
    CrdtState soon = apply(state, Requests.fieldRemove("x"), removeSoon, START + SECOND / 2, early);
    assertThat(MAP.value(soon).get("x").asLong()).isEqualTo(2);

    // More than T after the increment the read missed: refused.
    CrdtState held = state;
    assertThatThrownBy(
            () ->
                MAP.prepare(
                    held,
                    CrdtRegistry.parseUpdate(Requests.fieldRemove("x")),
                    new UpdateContext(removeSoon, START + 2 * SECOND, null, early)))
        .isInstanceOfSatisfying(
            CrdtRequestException.class,
            refused -> assertThat(refused.code()).isEqualTo(ErrorCode.CONTEXT_EXPIRED));
    assertThat(MAP.value(held)).isEqualTo(MAP.value(state));

    // A read that saw both, or no context at all, is as old as it likes.
    assertThat(
            MAP.value(
                    apply(
                        state,
                        Requests.fieldRemove("x"),
                        removeSoon,
                        START + 9 * SECOND,
                        beforeRemove))
                .has("x"))
        .isFalse();
    assertThat(
            MAP.value(apply(state, Requests.fieldRemove("x"), removeSoon, START + 9 * SECOND))
                .has("x"))
        .isFalse();
  }

  @Test
  void theFoldSumsOnlyIncrementsOlderThanTBeforeTheNewestStableOne() {
    CrdtState state = MAP.empty();
    VersionVector applied = VersionVector.empty();
    long[] offsets = {0, SECOND / 4, SECOND / 2, 2 * SECOND, 2 * SECOND + 1};
    for (int i = 0; i < offsets.length; i++) {
      Dot dot = new Dot(i % 2 == 0 ? "east" : "west", i / 2 + 1);
      state = apply(state, Requests.fieldIncrement("x", 1 + i), dot, START + offsets[i]);
      applied = applied.with(dot.replica(), dot.counter());
    }
    OrMap folded = (OrMap) MAP.fold(state, applied);
    Counter x = (Counter) folded.visibleFields().get("x");
    // Newest stable at START + 2 s + 1: the first three (at most START + 1 s + 1) are old, one
    // sum per origin (east: 1 + 3, west: 2); the last two stay single.
    assertThat(x.store().entries().values())
        .containsExactlyInAnyOrder(
            new Counter.Entry(4, true, START + SECOND / 2),
            new Counter.Entry(2, true, START + SECOND / 4),
            new Counter.Entry(4, false, START + 2 * SECOND),
            new Counter.Entry(5, false, START + 2 * SECOND + 1));
    assertThat(x.value()).isEqualTo(15);
    byte[] bytes = CrdtRegistry.encodeState(folded);
    assertThat(CrdtCodec.decodeState(bytes)).isEqualTo(folded);
    assertThat(stateVersion(bytes)).isEqualTo(CrdtCodec.COUNTER_TIMESTAMPS_FORMAT_VERSION);
  }

  @Test
  void topLevelCountersKeepFormatOneAndFieldCountersWithoutTimestampsReadAsBefore() {
    Dot dot = new Dot("east", 1);
    Effect top =
        COUNTER
            .prepare(
                COUNTER.empty(),
                CrdtRegistry.parseUpdate(Requests.request(Counter.PN_COUNTER, "increment")),
                UpdateContext.of(dot, START))
            .orElseThrow();
    assertThat(((Counter.Increment) top).hlc()).isZero();
    assertThat(effectVersion(CrdtRegistry.encodeEffect(top))).isEqualTo(CrdtCodec.FORMAT_VERSION);

    Effect field =
        MAP.prepare(
                MAP.empty(),
                CrdtRegistry.parseUpdate(Requests.fieldIncrement("x", 1)),
                UpdateContext.of(dot, START))
            .orElseThrow();
    assertThat(effectVersion(CrdtRegistry.encodeEffect(field)))
        .isEqualTo(CrdtCodec.COUNTER_TIMESTAMPS_FORMAT_VERSION);

    // A state written before timestamps (format 1): its entries read as timestamp 0, i.e. older
    // than anything, and are summed once a timestamped increment is T newer and stable.
    CrdtState legacy = MAP.apply(MAP.empty(), withoutTimestamp(field), dot);
    byte[] bytes = CrdtRegistry.encodeState(legacy);
    assertThat(stateVersion(bytes)).isEqualTo(CrdtCodec.FORMAT_VERSION);
    CrdtState read = CrdtRegistry.decodeState(bytes);
    Dot later = new Dot("east", 2);
    CrdtState both = apply(read, Requests.fieldIncrement("x", 2), later, START + 2 * SECOND);
    Counter x =
        (Counter) ((OrMap) MAP.fold(both, VersionVector.of("east", 2))).visibleFields().get("x");
    assertThat(x.store().entries().values())
        .containsExactlyInAnyOrder(
            new Counter.Entry(1, true, 0), new Counter.Entry(2, false, START + 2 * SECOND));
  }

  private static Effect withoutTimestamp(Effect effect) {
    OrMap.MapEffect map = (OrMap.MapEffect) effect;
    OrMap.FieldChange change = map.changes().get(0);
    Counter.Increment increment = (Counter.Increment) change.update();
    return new OrMap.MapEffect(
        java.util.List.of(
            new OrMap.FieldChange(change.field(), increment.withHlc(0), change.removal())),
        map.ordinal(),
        map.operationId());
  }

  private static int stateVersion(byte[] bytes) {
    return parseVersion(bytes);
  }

  private static int effectVersion(byte[] bytes) {
    return parseVersion(bytes);
  }

  /** Field 1 of both messages is the format version, written first. */
  private static int parseVersion(byte[] bytes) {
    assertThat(bytes[0]).isEqualTo((byte) 0x08);
    return bytes[1];
  }
}
