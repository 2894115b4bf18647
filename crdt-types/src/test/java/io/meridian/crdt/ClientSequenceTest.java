package io.meridian.crdt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.clocks.DecodeException;
import io.meridian.clocks.Dot;
import io.meridian.clocks.VersionVector;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Client sequences, the exactly-once that outlives the op ids: stories of a retry after the fold,
 * concurrent copies, batches and nested fields, the laws of the marks' join, and the codec's two
 * format versions.
 */
class ClientSequenceTest {
  private static final CrdtType COUNTER = CrdtRegistry.type(Counter.PN_COUNTER);
  private static final CrdtType MAP = CrdtRegistry.type(OrMap.NAME);
  private static final CrdtType LIST = CrdtRegistry.type(RgaList.NAME);
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ClientSequence phone(long sequence) {
    return new ClientSequence("phone-1", sequence);
  }

  private static ObjectNode increment(long by) {
    return Requests.request(Counter.PN_COUNTER, "increment").put("by", by);
  }

  /** The update's effect at {@code dot} on {@code state}, or empty when it is a duplicate. */
  private static Optional<Effect> prepare(
      CrdtType type, CrdtState state, Dot dot, JsonNode request, ClientSequence sequence) {
    return type.prepare(
        state,
        CrdtRegistry.parseUpdate(request),
        UpdateContext.of(dot, dot.counter()).withClientSequence(sequence));
  }

  /** Prepares and applies at {@code dot}; a duplicate leaves the state as it is. */
  private static CrdtState update(
      CrdtType type, CrdtState state, Dot dot, JsonNode request, ClientSequence sequence) {
    return prepare(type, state, dot, request, sequence)
        .map(effect -> type.apply(state, effect, dot))
        .orElse(state);
  }

  private static ClientMarks marksOf(CrdtState state) {
    if (state instanceof Counter counter) {
      return counter.store().marks();
    }
    if (state instanceof OrMap map) {
      return map.presence().marks();
    }
    return ((RgaList) state).marks();
  }

  @Test
  void aRetryAfterTheFoldIsADuplicateAtEveryRegion() {
    // The phone increments by 5 as its update 1 at region a; every region applies it.
    Dot first = new Dot("a", 1);
    CrdtState state = update(COUNTER, COUNTER.empty(), first, increment(5), phone(1));
    // It is stable; the fold forgets the id and keeps the mark.
    CrdtState folded = COUNTER.fold(state, VersionVector.of("a", 1));
    assertThat(((Counter) folded).store().operationIds()).isEmpty();
    assertThat(marksOf(folded).highest()).containsExactly(Map.entry("phone-1", 1L));
    // The answer was lost; the phone sends update 1 again, a week later, at region b.
    assertThat(prepare(COUNTER, folded, new Dot("b", 1), increment(5), phone(1))).isEmpty();
    // Its next update counts.
    CrdtState next = update(COUNTER, folded, new Dot("b", 1), increment(2), phone(2));
    assertThat(COUNTER.value(next).asLong()).isEqualTo(7);
  }

  @Test
  void copiesMadeConcurrentlyAtTwoRegionsCountOnceBeforeAndAfterTheFold() {
    Dot atA = new Dot("a", 1);
    Dot atB = new Dot("b", 1);
    Effect fromA = prepare(COUNTER, COUNTER.empty(), atA, increment(5), phone(1)).orElseThrow();
    Effect fromB = prepare(COUNTER, COUNTER.empty(), atB, increment(5), phone(1)).orElseThrow();
    CrdtState regionA = COUNTER.apply(COUNTER.apply(COUNTER.empty(), fromA, atA), fromB, atB);
    CrdtState regionB = COUNTER.apply(COUNTER.apply(COUNTER.empty(), fromB, atB), fromA, atA);
    assertThat(regionA).isEqualTo(regionB);
    assertThat(COUNTER.value(regionA).asLong()).isEqualTo(5);
    CrdtState folded = COUNTER.fold(regionA, VersionVector.of("a", 1).with("b", 1));
    assertThat(COUNTER.value(folded).asLong()).isEqualTo(5);
    assertThat(marksOf(folded).highest()).containsExactly(Map.entry("phone-1", 1L));
    assertThat(prepare(COUNTER, folded, new Dot("c", 1), increment(5), phone(1))).isEmpty();
  }

  @Test
  void anIdHalfStableStaysAnIdAndTheMarkWaitsForItsLastCopy() {
    Dot atA = new Dot("a", 1);
    Dot atB = new Dot("b", 1);
    CrdtState state = update(COUNTER, COUNTER.empty(), atA, increment(5), phone(3));
    state =
        COUNTER.apply(
            state,
            prepare(COUNTER, COUNTER.empty(), atB, increment(5), phone(3)).orElseThrow(),
            atB);
    CrdtState folded = COUNTER.fold(state, VersionVector.of("a", 1));
    assertThat(marksOf(folded).isEmpty()).isTrue();
    assertThat(((Counter) folded).store().operationIds()).hasSize(2);
    assertThat(COUNTER.value(folded).asLong()).isEqualTo(5);
  }

  @Test
  void aMarkCoversEveryEarlierUpdateOfItsClientAndNoOtherClient() {
    CrdtState state = COUNTER.empty();
    for (int sequence = 1; sequence <= 3; sequence++) {
      state = update(COUNTER, state, new Dot("a", sequence), increment(1), phone(sequence));
    }
    CrdtState folded = COUNTER.fold(state, VersionVector.of("a", 3));
    assertThat(marksOf(folded).highest()).containsExactly(Map.entry("phone-1", 3L));
    for (int sequence = 1; sequence <= 3; sequence++) {
      assertThat(prepare(COUNTER, folded, new Dot("b", 1), increment(1), phone(sequence)))
          .isEmpty();
    }
    assertThat(prepare(COUNTER, folded, new Dot("b", 1), increment(1), phone(4))).isPresent();
    ClientSequence tablet = new ClientSequence("tablet", 2);
    assertThat(prepare(COUNTER, folded, new Dot("b", 1), increment(1), tablet)).isPresent();
  }

  @Test
  void memoryIsOneMarkPerClientHoweverManyUpdatesFolded() {
    int[] bytes = new int[2];
    int[] counts = {1_000, 10_000};
    for (int run = 0; run < counts.length; run++) {
      CrdtState state = COUNTER.empty();
      VersionVector applied = VersionVector.empty();
      for (int sequence = 1; sequence <= counts[run]; sequence++) {
        String region = "r" + (sequence % 3);
        Dot dot = new Dot(region, applied.get(region) + 1);
        state = update(COUNTER, state, dot, increment(1), phone(sequence));
        applied = applied.with(region, dot.counter());
        if (sequence % 100 == 0) {
          state = COUNTER.fold(state, applied);
        }
      }
      Counter folded = (Counter) COUNTER.fold(state, applied);
      assertThat(folded.value()).isEqualTo(counts[run]);
      assertThat(folded.store().operationIds()).isEmpty();
      assertThat(folded.store().marks().highest())
          .containsExactly(Map.entry("phone-1", (long) counts[run]));
      bytes[run] = CrdtRegistry.encodeState(folded).length;
    }
    // Ten times the updates cost a few bytes of longer varints (the sums, the context's vector and
    // the mark), where keeping an id per update would cost thousands.
    assertThat(bytes[1] - bytes[0]).isBetween(0, 16);
  }

  @Test
  void aKeyKeepsOneMarkOfAFewBytesPerClient() {
    int clients = 1_000;
    int[] bytes = new int[2];
    int[] rounds = {1, 100};
    for (int run = 0; run < rounds.length; run++) {
      CrdtState state = COUNTER.empty();
      VersionVector applied = VersionVector.empty();
      int entries = 0;
      for (int sequence = 1; sequence <= rounds[run]; sequence++) {
        for (int client = 0; client < clients; client++) {
          String region = "r" + (entries++ % 3);
          Dot dot = new Dot(region, applied.get(region) + 1);
          state =
              update(
                  COUNTER,
                  state,
                  dot,
                  increment(1),
                  new ClientSequence("device-" + client, sequence));
          applied = applied.with(region, dot.counter());
        }
        state = COUNTER.fold(state, applied);
      }
      assertThat(((Counter) state).store().marks().highest()).hasSize(clients);
      assertThat(((Counter) state).value()).isEqualTo((long) clients * rounds[run]);
      bytes[run] = CrdtRegistry.encodeState(state).length;
      System.out.printf(
          "client marks: %d clients, %d updates each, folded: %d bytes%n",
          clients, rounds[run], bytes[run]);
    }
    assertThat(bytes[0]).as("a mark with a 10-character client id").isLessThan(clients * 20);
    assertThat(bytes[1] - bytes[0]).as("99,000 more updates").isBetween(0, 16);
  }

  @Test
  void oneBatchUpdatingAKeyTwiceUnderOneClientSequenceAppliesBoth() {
    // A batch is one log entry with one client sequence: its second update of the key is no retry.
    Dot entry = new Dot("a", 1);
    CrdtState state = update(COUNTER, COUNTER.empty(), entry, increment(2), phone(1));
    state = update(COUNTER, state, entry, increment(3), phone(1));
    assertThat(COUNTER.value(state).asLong()).isEqualTo(5);
    // A retry of the batch in another entry is a duplicate of both.
    assertThat(prepare(COUNTER, state, new Dot("b", 1), increment(2), phone(1))).isEmpty();
  }

  @Test
  void anOrMapKeepsTheMarkInItsPresenceAndARemovedFieldLeavesNothing() {
    Dot first = new Dot("a", 1);
    CrdtState state = update(MAP, MAP.empty(), first, Requests.fieldIncrement("x", 4), phone(1));
    Dot second = new Dot("a", 2);
    state = update(MAP, state, second, Requests.fieldRemove("x"), phone(2));
    CrdtState folded = MAP.fold(state, VersionVector.of("a", 2));
    OrMap map = (OrMap) folded;
    assertThat(map.fields()).isEmpty();
    assertThat(map.presence().marks().highest()).containsExactly(Map.entry("phone-1", 2L));
    assertThat(prepare(MAP, folded, new Dot("b", 1), Requests.fieldIncrement("x", 4), phone(1)))
        .isEmpty();
    assertThat(MAP.value(folded).toString()).isEqualTo("{}");
  }

  @Test
  void aNestedFieldKeepsNoMarkOfItsOwn() {
    CrdtState state =
        update(MAP, MAP.empty(), new Dot("a", 1), Requests.fieldIncrement("x", 4), phone(1));
    OrMap folded = (OrMap) MAP.fold(state, VersionVector.of("a", 1));
    assertThat(folded.presence().marks().highest()).containsExactly(Map.entry("phone-1", 1L));
    assertThat(folded.fields().values())
        .allSatisfy(nested -> assertThat(((Counter) nested).store().marks().isEmpty()).isTrue());
    assertThat(MAP.value(folded).toString()).isEqualTo("{\"x\":4}");
  }

  @Test
  void aListInsertRetriedAfterTheFoldIsNotInsertedAgain() {
    ObjectNode insert = Requests.request(RgaList.NAME, "insert").put("index", 0);
    insert.putArray("values").add("milk");
    CrdtState state = update(LIST, LIST.empty(), new Dot("a", 1), insert, phone(1));
    CrdtState folded = LIST.fold(state, VersionVector.of("a", 1));
    assertThat(marksOf(folded).highest()).containsExactly(Map.entry("phone-1", 1L));
    CrdtState retried = update(LIST, folded, new Dot("b", 1), insert, phone(1));
    assertThat(LIST.value(retried).toString()).isEqualTo("[\"milk\"]");
  }

  @Test
  void anIdAndAClientSequenceOnOneUpdateAreABadRequest() {
    assertThatThrownBy(
            () ->
                UpdateContext.of(new Dot("a", 1), 1)
                    .withOperationId("x")
                    .withClientSequence(phone(1)))
        .isInstanceOf(CrdtRequestException.class);
  }

  @Test
  void badClientSequencesAreBadRequests() throws Exception {
    String[] bad = {
      "{\"client\":\"p\"}",
      "{\"seq\":1}",
      "{\"client\":\"p\",\"seq\":0}",
      "{\"client\":\"p\",\"seq\":-1}",
      "{\"client\":\"p\",\"seq\":1.5}",
      "{\"client\":\"p\",\"seq\":1.0}",
      "{\"client\":\"p\",\"seq\":9007199254740993}",
      "{\"client\":\"p\",\"seq\":123456789012345678901234567890}",
      "{\"client\":\"p\",\"seq\":\"1\"}",
      "{\"client\":\"\",\"seq\":1}",
      "{\"client\":\"a b\",\"seq\":1}",
      "{\"client\":\"\u00e9\",\"seq\":1}",
      "{\"client\":\"" + "x".repeat(65) + "\",\"seq\":1}",
      "{\"client\":7,\"seq\":1}",
      "{\"client\":\"p\",\"seq\":1,\"id\":\"x\"}",
    };
    for (String text : bad) {
      JsonNode request = JSON.readTree(text);
      assertThatThrownBy(() -> CrdtRegistry.parseClientSequence(request))
          .as(text)
          .isInstanceOfSatisfying(
              CrdtRequestException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
    }
    assertThat(CrdtRegistry.parseClientSequence(JSON.readTree("{}"))).isNull();
    assertThat(
            CrdtRegistry.parseClientSequence(
                JSON.readTree("{\"client\":null,\"seq\":null,\"id\":\"x\"}")))
        .isNull();
    assertThat(
            CrdtRegistry.parseClientSequence(
                JSON.readTree(
                    "{\"client\":\"" + "A-z_9".repeat(12) + "abcd\",\"seq\":9007199254740992}")))
        .isEqualTo(new ClientSequence("A-z_9".repeat(12) + "abcd", 1L << 53));
  }

  // ---- the marks' join

  @Provide
  Arbitrary<ClientMarks> marks() {
    return Arbitraries.maps(
            Arbitraries.of("a", "b", "c", "d"), Arbitraries.longs().between(1, 1L << 53))
        .ofMaxSize(4)
        .map(highest -> ClientMarks.of(new TreeMap<>(highest)));
  }

  @Property
  void marksJoinByMaxCommutativelyAssociativelyAndIdempotently(
      @ForAll("marks") ClientMarks a,
      @ForAll("marks") ClientMarks b,
      @ForAll("marks") ClientMarks c) {
    assertThat(a.join(b)).isEqualTo(b.join(a));
    assertThat(a.join(b).join(c)).isEqualTo(a.join(b.join(c)));
    assertThat(a.join(a)).isEqualTo(a);
    assertThat(a.join(ClientMarks.empty())).isEqualTo(a);
    for (String client : java.util.List.of("a", "b", "c", "d")) {
      long left = a.highest().getOrDefault(client, 0L);
      long right = b.highest().getOrDefault(client, 0L);
      assertThat(a.join(b).highest().getOrDefault(client, 0L)).isEqualTo(Math.max(left, right));
    }
  }

  @Property
  void aMarkCoversExactlyTheSequencesAtOrBelowIt(
      @ForAll("marks") ClientMarks marks, @ForAll @IntRange(min = 1, max = 1000) int sequence) {
    for (String client : java.util.List.of("a", "b", "c", "d")) {
      long mark = marks.highest().getOrDefault(client, 0L);
      assertThat(marks.covers(new ClientSequence(client, sequence))).isEqualTo(sequence <= mark);
    }
  }

  // ---- codec

  @Test
  void statesWithoutClientSequencesKeepFormatVersionOneAndThoseWithAreVersionTwo() {
    CrdtState plain =
        COUNTER.apply(
            COUNTER.empty(),
            COUNTER
                .prepare(
                    COUNTER.empty(),
                    CrdtRegistry.parseUpdate(increment(1)),
                    UpdateContext.of(new Dot("a", 1), 1).withOperationId("retry-1"))
                .orElseThrow(),
            new Dot("a", 1));
    byte[] version1 = CrdtRegistry.encodeState(plain);
    assertThat(version1[0]).isEqualTo((byte) 8);
    assertThat(version1[1]).isEqualTo((byte) 1);
    assertThat(CrdtRegistry.decodeState(version1)).isEqualTo(plain);

    CrdtState withId = update(COUNTER, COUNTER.empty(), new Dot("a", 1), increment(1), phone(9));
    CrdtState withMark = COUNTER.fold(withId, VersionVector.of("a", 1));
    for (CrdtState state : java.util.List.of(withId, withMark)) {
      byte[] version2 = CrdtRegistry.encodeState(state);
      assertThat(version2[1]).isEqualTo((byte) 2);
      assertThat(CrdtRegistry.decodeState(version2)).isEqualTo(state);
      byte[] mislabelled = version2.clone();
      mislabelled[1] = 1;
      assertThatThrownBy(() -> CrdtRegistry.decodeState(mislabelled))
          .isInstanceOf(DecodeException.class);
      byte[] unknown = version2.clone();
      unknown[1] = 3;
      assertThatThrownBy(() -> CrdtRegistry.decodeState(unknown))
          .isInstanceOf(DecodeException.class);
    }
    Effect effect =
        prepare(COUNTER, COUNTER.empty(), new Dot("a", 1), increment(1), phone(9)).orElseThrow();
    byte[] encoded = CrdtRegistry.encodeEffect(effect);
    assertThat(encoded[1]).isEqualTo((byte) 2);
    assertThat(CrdtRegistry.decodeEffect(encoded)).isEqualTo(effect);
  }
}
