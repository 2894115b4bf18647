package io.meridian.crdt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.clocks.Dot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Update requests: malformed ones are typed errors that change nothing; values render as the API
 * says.
 */
class JsonMappingTest {
  private static JsonNode json(String text) throws Exception {
    return CanonicalJson.MAPPER.readTree(text);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "[]",
        "{\"op\":\"increment\"}",
        "{\"type\":\"no-such-type\",\"op\":\"add\"}",
        "{\"type\":\"g-counter\",\"op\":\"decrement\"}",
        "{\"type\":\"g-counter\",\"op\":\"increment\",\"by\":-1}",
        "{\"type\":\"pn-counter\",\"op\":\"increment\",\"by\":1.5}",
        "{\"type\":\"pn-counter\",\"op\":\"increment\",\"by\":1e3}",
        "{\"type\":\"pn-counter\",\"op\":\"increment\",\"by\":\"1\"}",
        "{\"type\":\"pn-counter\",\"op\":\"increment\",\"by\":9007199254740993}",
        "{\"type\":\"aw-set\",\"op\":\"add\",\"elements\":\"a\"}",
        "{\"type\":\"aw-set\",\"op\":\"add\",\"elements\":[{\"x\":1}]}",
        "{\"type\":\"g-set\",\"op\":\"remove\",\"elements\":[1]}",
        "{\"type\":\"lww-register\",\"op\":\"assign\"}",
        "{\"type\":\"ew-flag\",\"op\":\"toggle\"}",
        "{\"type\":\"list\",\"op\":\"insert\",\"index\":-1,\"values\":[1]}",
        "{\"type\":\"list\",\"op\":\"insert\",\"index\":0}",
        "{\"type\":\"or-map\",\"op\":\"update\",\"entries\":[]}",
        "{\"type\":\"or-map\",\"op\":\"update\",\"entries\":{\"f\":{\"type\":\"nope\",\"op\":\"x\"}}}",
        "{\"type\":\"or-map\",\"op\":\"remove\",\"fields\":[1]}"
      })
  void malformedRequestsAreBadRequests(String request) throws Exception {
    JsonNode body = json(request);
    assertThatThrownBy(() -> CrdtRegistry.parseUpdate(body))
        .isInstanceOfSatisfying(
            CrdtRequestException.class,
            error -> assertThat(error.code()).isEqualTo(ErrorCode.BAD_REQUEST));
  }

  @Test
  void nestingDeeperThanTheBoundIsABadRequest() throws Exception {
    String leaf = "{\"type\":\"g-counter\",\"op\":\"increment\"}";
    String nested = leaf;
    for (int depth = 0; depth < 3; depth++) {
      nested = "{\"type\":\"or-map\",\"op\":\"update\",\"entries\":{\"f\":" + nested + "}}";
    }
    JsonNode body = json(nested);
    assertThat(CrdtRegistry.parseUpdate(body, 4)).isInstanceOf(Operation.UpdateFields.class);
    assertThatThrownBy(() -> CrdtRegistry.parseUpdate(body, 3))
        .isInstanceOf(CrdtRequestException.class)
        .hasMessageContaining("deeper");
  }

  @Test
  void setValuesAreCanonical() throws Exception {
    CrdtType type = CrdtRegistry.type("aw-set");
    Operation add =
        CrdtRegistry.parseUpdate(
            json(
                "{\"type\":\"aw-set\",\"op\":\"add\",\"elements\":[\"b\",1.0,true,\"a\",1,false,0.5]}"));
    CrdtState state =
        type.apply(
            type.empty(),
            type.prepare(type.empty(), add, UpdateContext.of(new Dot("a", 1), 1)).orElseThrow(),
            new Dot("a", 1));
    assertThat(type.value(state).toString()).isEqualTo("[false,true,0.5,1,\"a\",\"b\"]");
  }

  @Test
  void aFieldKeepsTheTypeOfItsFirstUpdate() throws Exception {
    CrdtType map = CrdtRegistry.type("or-map");
    Operation counter =
        CrdtRegistry.parseUpdate(
            json(
                "{\"type\":\"or-map\",\"op\":\"update\",\"entries\":{\"f\":{\"type\":\"g-counter\",\"op\":\"increment\"}}}"));
    Operation flag =
        CrdtRegistry.parseUpdate(
            json(
                "{\"type\":\"or-map\",\"op\":\"update\",\"entries\":{\"f\":{\"type\":\"ew-flag\",\"op\":\"enable\"}}}"));
    Dot dot = new Dot("a", 1);
    CrdtState state =
        map.apply(
            map.empty(),
            map.prepare(map.empty(), counter, UpdateContext.of(dot, 1)).orElseThrow(),
            dot);
    assertThatThrownBy(() -> map.prepare(state, flag, UpdateContext.of(new Dot("a", 2), 2)))
        .isInstanceOfSatisfying(
            CrdtRequestException.class,
            error -> assertThat(error.code()).isEqualTo(ErrorCode.TYPE_MISMATCH));
    assertThat(map.value(state).toString()).isEqualTo("{\"f\":1}");
  }

  @Test
  void aListIndexPastTheEndIsABadRequest() throws Exception {
    CrdtType list = CrdtRegistry.type("list");
    Operation insert =
        CrdtRegistry.parseUpdate(
            json("{\"type\":\"list\",\"op\":\"insert\",\"index\":1,\"values\":[1]}"));
    assertThatThrownBy(
            () -> list.prepare(list.empty(), insert, UpdateContext.of(new Dot("a", 1), 1)))
        .isInstanceOf(CrdtRequestException.class)
        .hasMessageContaining("past the end");
  }

  @Test
  void contextStringsRoundTripAndGarbageIsABadRequest() {
    CrdtType set = CrdtRegistry.type("aw-set");
    assertThat(
            CrdtRegistry.decodeContext(
                CrdtRegistry.encodeContext(set.observedContext(set.empty()))))
        .isEqualTo(set.observedContext(set.empty()));
    assertThatThrownBy(() -> CrdtRegistry.decodeContext("%%not-base64"))
        .isInstanceOf(CrdtRequestException.class);
    assertThatThrownBy(() -> CrdtRegistry.decodeContext("AAAA"))
        .isInstanceOf(CrdtRequestException.class);
  }

  @Test
  void elementsAreCountedOverTheWholeTree() throws Exception {
    assertThat(
            CrdtRegistry.elementsOf(
                json(
                    "{\"type\":\"or-map\",\"op\":\"update\",\"entries\":{"
                        + "\"s\":{\"type\":\"aw-set\",\"op\":\"add\",\"elements\":[1,2,3]},"
                        + "\"l\":{\"type\":\"list\",\"op\":\"insert\",\"index\":0,\"values\":[1,2]},"
                        + "\"m\":{\"type\":\"or-map\",\"op\":\"remove\",\"fields\":[\"a\"]}}}")))
        .isEqualTo(3 + 3 + 2 + 1);
    assertThat(CrdtRegistry.elementsOf(json("{\"elements\":\"a\",\"entries\":[1,2]}"))).isZero();
    assertThat(CrdtRegistry.elementsOf(json("[1,2,3]"))).isZero();
  }

  @Test
  void elementsPastTheNestingCeilingAreNotWalked() throws Exception {
    String nested = "{\"elements\":[1,2,3,4,5]}";
    for (int depth = 0; depth <= CrdtRegistry.NESTING_DEPTH_CEILING; depth++) {
      nested = "{\"entries\":{\"f\":" + nested + "}}";
    }
    assertThat(CrdtRegistry.elementsOf(json(nested)))
        .isEqualTo(CrdtRegistry.NESTING_DEPTH_CEILING + 1);
  }

  @Test
  void operationIdsAndContextsAreOptionalStrings() throws Exception {
    CrdtType set = CrdtRegistry.type("aw-set");
    String context = CrdtRegistry.encodeContext(set.observedContext(set.empty()));
    JsonNode body = json("{\"id\":\"op-1\",\"context\":\"" + context + "\"}");
    assertThat(CrdtRegistry.parseOperationId(body)).isEqualTo("op-1");
    assertThat(CrdtRegistry.parseObservedContext(body)).isEqualTo(set.observedContext(set.empty()));
    JsonNode none = json("{\"id\":null}");
    assertThat(CrdtRegistry.parseOperationId(none)).isNull();
    assertThat(CrdtRegistry.parseObservedContext(none)).isNull();
    for (String bad : new String[] {"{\"id\":1}", "{\"id\":\"\"}", "{\"id\":\"a\\u0001\"}"}) {
      assertThatThrownBy(() -> CrdtRegistry.parseOperationId(json(bad)))
          .as(bad)
          .isInstanceOfSatisfying(
              CrdtRequestException.class,
              error -> assertThat(error.code()).isEqualTo(ErrorCode.BAD_REQUEST));
    }
    assertThatThrownBy(() -> CrdtRegistry.parseObservedContext(json("{\"context\":[]}")))
        .isInstanceOf(CrdtRequestException.class)
        .hasMessage("context must be a string");
    assertThatThrownBy(() -> CrdtRegistry.parseObservedContext(json("{\"context\":\"AAAA\"}")))
        .isInstanceOf(CrdtRequestException.class);
  }

  @Test
  void aPnCounterDeltaEncodesInAtMostSixteenBytes() {
    Effect effect = new Counter.Increment("pn-counter", -(1L << 53), 0, null);
    assertThat(CrdtRegistry.encodeEffect(effect).length).isLessThanOrEqualTo(16);
  }
}
