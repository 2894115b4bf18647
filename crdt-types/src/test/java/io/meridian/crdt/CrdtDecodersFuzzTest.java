package io.meridian.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.clocks.DecodeException;
import io.meridian.clocks.Dot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Coverage-guided fuzz targets (Jazzer) of what crdt-types reads from others: states and effects
 * from peers and logs ({@link CrdtCodec}) and clients' update requests ({@link JsonMapping}, the
 * {@code context} string). Without {@code JAZZER_FUZZ} each target replays its corpus under {@code
 * src/test/resources/.../CrdtDecodersFuzzTestInputs/<target>}; docs/notes/2026-12-fuzzing.md tells
 * how to fuzz. {@link #main} writes the seeds.
 *
 * <p>The property: an input decodes or is refused with the decoder's own error ({@link
 * DecodeException}, {@link CrdtRequestException}); a decoded state or effect re-encodes to the same
 * bytes (the formats are canonical) and can be used (its value read, joined, applied).
 */
class CrdtDecodersFuzzTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Dot DOT = new Dot("a", 1);

  @FuzzTest(maxDuration = "20s")
  void states(byte[] bytes) {
    CrdtState state;
    try {
      state = CrdtRegistry.decodeState(bytes);
    } catch (DecodeException e) {
      return;
    }
    assertThat(CrdtRegistry.encodeState(state)).isEqualTo(bytes);
    CrdtType type = CrdtRegistry.typeOf(state);
    type.value(state);
    type.observedContext(state);
    CrdtState joined = type.join(state, state);
    assertThat(CrdtRegistry.encodeState(joined)).isEqualTo(bytes);
  }

  @FuzzTest(maxDuration = "20s")
  void effects(byte[] bytes) {
    Effect effect;
    try {
      effect = CrdtRegistry.decodeEffect(bytes);
    } catch (DecodeException e) {
      return;
    }
    assertThat(CrdtRegistry.encodeEffect(effect)).isEqualTo(bytes);
    CrdtType type = CrdtRegistry.type(effect.typeName());
    CrdtState applied = type.apply(type.empty(), effect, DOT);
    type.value(applied);
  }

  @FuzzTest(maxDuration = "20s")
  void updateRequests(byte[] bytes) {
    JsonNode request;
    try {
      request = JSON.readTree(new String(bytes, StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      return;
    }
    Operation operation;
    UpdateContext context = UpdateContext.of(DOT, 1);
    try {
      operation = CrdtRegistry.parseUpdate(request);
      CrdtRegistry.parseOperationId(request);
      CrdtRegistry.parseObservedContext(request);
      CrdtRegistry.parseClientSequence(request);
    } catch (CrdtRequestException e) {
      return;
    }
    CrdtType type = CrdtRegistry.type(operation.typeName());
    Optional<Effect> effect;
    try {
      effect = type.prepare(type.empty(), operation, context);
    } catch (CrdtRequestException e) {
      return;
    }
    if (effect.isPresent()) {
      byte[] encoded = CrdtRegistry.encodeEffect(effect.get());
      assertThat(CrdtRegistry.encodeEffect(CrdtRegistry.decodeEffect(encoded))).isEqualTo(encoded);
      CrdtState state = type.apply(type.empty(), effect.get(), DOT);
      byte[] stateBytes = CrdtRegistry.encodeState(state);
      assertThat(CrdtRegistry.encodeState(CrdtRegistry.decodeState(stateBytes)))
          .isEqualTo(stateBytes);
    }
  }

  /** Valid update requests of every type, the seeds of all three targets. */
  private static final List<String> REQUESTS =
      List.of(
          "{\"type\":\"g-counter\",\"op\":\"increment\",\"by\":3}",
          "{\"type\":\"pn-counter\",\"op\":\"decrement\",\"by\":2,\"id\":\"op-1\"}",
          "{\"type\":\"lww-register\",\"op\":\"assign\",\"value\":{\"b\":[1,2.5],\"a\":null}}",
          "{\"type\":\"mv-register\",\"op\":\"assign\",\"value\":\"v\"}",
          "{\"type\":\"ew-flag\",\"op\":\"enable\"}",
          "{\"type\":\"g-set\",\"op\":\"add\",\"elements\":[\"a\",1,true]}",
          "{\"type\":\"aw-set\",\"op\":\"add\",\"elements\":[\"a\",2.5],\"client\":\"c-1\",\"seq\":4}",
          "{\"type\":\"rw-set\",\"op\":\"remove\",\"elements\":[\"x\"]}",
          "{\"type\":\"list\",\"op\":\"insert\",\"index\":0,\"values\":[\"x\",{\"y\":1}]}",
          "{\"type\":\"or-map\",\"op\":\"update\",\"entries\":{\"n\":{\"type\":\"pn-counter\","
              + "\"op\":\"increment\"},\"s\":{\"type\":\"aw-set\",\"op\":\"add\","
              + "\"elements\":[\"e\"]},\"m\":{\"type\":\"or-map\",\"op\":\"update\",\"entries\":"
              + "{\"r\":{\"type\":\"mv-register\",\"op\":\"assign\",\"value\":7}}}}}",
          "{\"type\":\"or-map\",\"op\":\"remove\",\"fields\":[\"n\"],\"context\":\"CAE\"}");

  /** Writes the seed corpus (valid encodings of each format) under {@code args[0]}. */
  public static void main(String[] args) throws IOException {
    Path root = Path.of(args[0]);
    Path states = Files.createDirectories(root.resolve("states"));
    Path effects = Files.createDirectories(root.resolve("effects"));
    Path requests = Files.createDirectories(root.resolve("updateRequests"));
    for (int i = 0; i < REQUESTS.size(); i++) {
      String text = REQUESTS.get(i);
      Files.writeString(requests.resolve("seed-" + i), text);
      JsonNode request = JSON.readTree(text);
      Operation operation = CrdtRegistry.parseUpdate(request);
      CrdtType type = CrdtRegistry.type(operation.typeName());
      Dot dot = new Dot("a", i + 1);
      UpdateContext context = UpdateContext.of(dot, i + 1L);
      String id = CrdtRegistry.parseOperationId(request);
      if (id != null) {
        context = context.withOperationId(id);
      }
      ClientSequence client = CrdtRegistry.parseClientSequence(request);
      if (client != null) {
        context = context.withClientSequence(client);
      }
      Effect effect = type.prepare(type.empty(), operation, context).orElseThrow();
      Files.write(effects.resolve("seed-" + i), CrdtRegistry.encodeEffect(effect));
      Files.write(
          states.resolve("seed-" + i),
          CrdtRegistry.encodeState(type.apply(type.empty(), effect, dot)));
    }
  }
}
