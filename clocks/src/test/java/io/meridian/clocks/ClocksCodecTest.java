package io.meridian.clocks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.meridian.clocks.proto.CausalContextProto;
import io.meridian.clocks.proto.DotProto;
import io.meridian.clocks.proto.HlcTimestampProto;
import io.meridian.clocks.proto.VersionVectorProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

/**
 * The codecs: round trips, equal values giving equal bytes, and rejection of bad input (random
 * bytes, mutated and truncated encodings, unknown format versions, non-canonical values) with
 * {@link DecodeException} and nothing else.
 */
class ClocksCodecTest {

  /** Every standalone decoder, by the name of what it reads. */
  private enum Decoder {
    VERSION_VECTOR(ClocksCodec::decodeVersionVector),
    DOT(ClocksCodec::decodeDot),
    CAUSAL_CONTEXT(ClocksCodec::decodeCausalContext),
    HLC_TIMESTAMP(ClocksCodec::decodeHlc);

    final Function<byte[], Object> decode;

    Decoder(Function<byte[], Object> decode) {
      this.decode = decode;
    }

    byte[] reencode(Object value) {
      return switch (this) {
        case VERSION_VECTOR -> ClocksCodec.encode((VersionVector) value);
        case DOT -> ClocksCodec.encode((Dot) value);
        case CAUSAL_CONTEXT -> ClocksCodec.encode((CausalContext) value);
        case HLC_TIMESTAMP -> ClocksCodec.encodeHlc((Long) value);
      };
    }
  }

  /** A value of one of the four types with its encoding. */
  private record Encoded(Decoder decoder, Object value, byte[] bytes) {
    @Override
    public String toString() {
      return decoder + " " + value;
    }
  }

  @Provide
  Arbitrary<VersionVector> vectors() {
    return ClocksArbitraries.wideVersionVectors();
  }

  @Provide
  Arbitrary<Dot> dots() {
    return ClocksArbitraries.wideDots();
  }

  @Provide
  Arbitrary<CausalContext> contexts() {
    return Arbitraries.oneOf(
        ClocksArbitraries.wideCausalContexts(), ClocksArbitraries.causalContexts());
  }

  @Provide
  Arbitrary<Encoded> encodings() {
    return Arbitraries.oneOf(
        vectors().map(v -> new Encoded(Decoder.VERSION_VECTOR, v, ClocksCodec.encode(v))),
        dots().map(d -> new Encoded(Decoder.DOT, d, ClocksCodec.encode(d))),
        contexts().map(c -> new Encoded(Decoder.CAUSAL_CONTEXT, c, ClocksCodec.encode(c))),
        Arbitraries.longs()
            .between(0, Long.MAX_VALUE)
            .map(t -> new Encoded(Decoder.HLC_TIMESTAMP, t, ClocksCodec.encodeHlc(t))));
  }

  /**
   * Decodes {@code bytes}; accepts a valid value or a {@link DecodeException}, fails on anything
   * else. A value that is accepted must be canonical: its encoding decodes to it again. The input
   * array is never modified.
   */
  private static void assertDecodesOrRejects(Decoder decoder, byte[] bytes) {
    byte[] copy = bytes.clone();
    Object value;
    try {
      value = decoder.decode.apply(bytes);
    } catch (DecodeException expected) {
      assertThat(bytes).isEqualTo(copy);
      return;
    } catch (RuntimeException other) {
      throw new AssertionError(
          decoder + " threw " + other + " for bytes " + Arrays.toString(bytes), other);
    }
    assertThat(bytes).isEqualTo(copy);
    assertThat(decoder.decode.apply(decoder.reencode(value))).isEqualTo(value);
  }

  // ---- round trips

  @Property
  void versionVectorRoundTrips(@ForAll("vectors") VersionVector vector) {
    assertThat(ClocksCodec.decodeVersionVector(ClocksCodec.encode(vector))).isEqualTo(vector);
    assertThat(ClocksCodec.fromProto(ClocksCodec.toProto(vector))).isEqualTo(vector);
  }

  @Property
  void dotRoundTrips(@ForAll("dots") Dot dot) {
    assertThat(ClocksCodec.decodeDot(ClocksCodec.encode(dot))).isEqualTo(dot);
    assertThat(ClocksCodec.fromProto(ClocksCodec.toProto(dot))).isEqualTo(dot);
  }

  @Property
  void causalContextRoundTrips(@ForAll("contexts") CausalContext context) {
    assertThat(ClocksCodec.decodeCausalContext(ClocksCodec.encode(context))).isEqualTo(context);
    assertThat(ClocksCodec.fromProto(ClocksCodec.toProto(context))).isEqualTo(context);
  }

  @Property
  void hlcTimestampRoundTrips(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long timestamp) {
    assertThat(ClocksCodec.decodeHlc(ClocksCodec.encodeHlc(timestamp))).isEqualTo(timestamp);
  }

  // ---- determinism: equal values, equal bytes

  @Property
  void equalVectorsGiveEqualBytes(@ForAll("vectors") VersionVector vector, @ForAll long seed) {
    VersionVector rebuilt = VersionVectorTest.rebuiltInRandomOrder(vector.toMap(), seed);
    assertThat(rebuilt).isEqualTo(vector);
    assertThat(ClocksCodec.encode(rebuilt)).isEqualTo(ClocksCodec.encode(vector));
  }

  @Property
  void equalContextsGiveEqualBytes(@ForAll("dotSets") Set<Dot> dots, @ForAll long seed) {
    List<Dot> shuffled = new ArrayList<>(dots);
    Collections.shuffle(shuffled, new Random(seed));
    CausalContext added = CausalContext.empty();
    for (Dot dot : shuffled) {
      added = added.add(dot);
    }
    int half = shuffled.size() / 2;
    CausalContext merged =
        CausalContext.ofDots(shuffled.subList(0, half))
            .merge(CausalContext.ofDots(shuffled.subList(half, shuffled.size())));
    byte[] expected = ClocksCodec.encode(CausalContext.ofDots(dots));
    assertThat(ClocksCodec.encode(added)).isEqualTo(expected);
    assertThat(ClocksCodec.encode(merged)).isEqualTo(expected);
  }

  @Provide
  Arbitrary<Set<Dot>> dotSets() {
    return ClocksArbitraries.dotSets();
  }

  @Property
  void equalDotsGiveEqualBytes(@ForAll("dots") Dot dot) {
    Dot copy = new Dot(new String(dot.replica().toCharArray()), dot.counter());
    assertThat(ClocksCodec.encode(copy)).isEqualTo(ClocksCodec.encode(dot));
  }

  // ---- bad input: only DecodeException

  @Property
  void randomBytesAreDecodedOrRejected(@ForAll byte[] bytes, @ForAll Decoder decoder) {
    assertDecodesOrRejects(decoder, bytes);
  }

  @Property
  void mutatedEncodingsAreDecodedOrRejected(
      @ForAll("encodings") Encoded encoded, @ForAll long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    byte[] bytes = encoded.bytes();
    int mutations = 1 + random.nextInt(4);
    for (int i = 0; i < mutations; i++) {
      bytes = mutate(bytes, random);
    }
    assertDecodesOrRejects(encoded.decoder(), bytes);
  }

  private static byte[] mutate(byte[] bytes, SplittableRandom random) {
    int position = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
    switch (random.nextInt(4)) {
      case 0 -> {
        if (bytes.length > 0) {
          byte[] flipped = bytes.clone();
          flipped[position] ^= (byte) (1 << random.nextInt(8));
          return flipped;
        }
        return bytes;
      }
      case 1 -> {
        byte[] inserted = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, inserted, 0, position);
        inserted[position] = (byte) random.nextInt(256);
        System.arraycopy(bytes, position, inserted, position + 1, bytes.length - position);
        return inserted;
      }
      case 2 -> {
        if (bytes.length == 0) {
          return bytes;
        }
        byte[] removed = new byte[bytes.length - 1];
        System.arraycopy(bytes, 0, removed, 0, position);
        System.arraycopy(bytes, position + 1, removed, position, bytes.length - position - 1);
        return removed;
      }
      default -> {
        if (bytes.length > 0) {
          byte[] replaced = bytes.clone();
          replaced[position] = (byte) random.nextInt(256);
          return replaced;
        }
        return bytes;
      }
    }
  }

  @Property
  void everyTruncationIsDecodedOrRejected(@ForAll("encodings") Encoded encoded) {
    for (int length = 0; length < encoded.bytes().length; length++) {
      assertDecodesOrRejects(encoded.decoder(), Arrays.copyOf(encoded.bytes(), length));
    }
  }

  @Property
  void unknownFormatVersionIsRejected(@ForAll("encodings") Encoded encoded, @ForAll int version) {
    int unknown = version == ClocksCodec.FORMAT_VERSION ? 0 : version;
    byte[] bytes = withFormatVersion(encoded, unknown);
    Throwable thrown = catchThrowable(() -> encoded.decoder().decode.apply(bytes));
    assertThat(thrown)
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("format version " + unknown);
  }

  private static byte[] withFormatVersion(Encoded encoded, int version) {
    return switch (encoded.decoder()) {
      case VERSION_VECTOR ->
          ClocksCodec.toProto((VersionVector) encoded.value()).toBuilder()
              .setFormatVersion(version)
              .build()
              .toByteArray();
      case DOT ->
          ClocksCodec.toProto((Dot) encoded.value()).toBuilder()
              .setFormatVersion(version)
              .build()
              .toByteArray();
      case CAUSAL_CONTEXT ->
          ClocksCodec.toProto((CausalContext) encoded.value()).toBuilder()
              .setFormatVersion(version)
              .build()
              .toByteArray();
      case HLC_TIMESTAMP ->
          HlcTimestampProto.newBuilder()
              .setFormatVersion(version)
              .setTimestamp((Long) encoded.value())
              .build()
              .toByteArray();
    };
  }

  @Example
  void nullIsRejected() {
    for (Decoder decoder : Decoder.values()) {
      assertThatThrownBy(() -> decoder.decode.apply(null)).isInstanceOf(DecodeException.class);
    }
  }

  // ---- well-formed protobuf, invalid values

  private static void assertRejected(Decoder decoder, byte[] bytes, String message) {
    assertThatThrownBy(() -> decoder.decode.apply(bytes))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining(message);
  }

  private static VersionVectorProto.Builder vector() {
    return VersionVectorProto.newBuilder().setFormatVersion(ClocksCodec.FORMAT_VERSION);
  }

  @Example
  void invalidVersionVectorsAreRejected() {
    Decoder decoder = Decoder.VERSION_VECTOR;
    assertRejected(decoder, vector().addReplicas("a").build().toByteArray(), "counters");
    assertRejected(
        decoder,
        vector()
            .addReplicas("b")
            .addCounters(1)
            .addReplicas("a")
            .addCounters(1)
            .build()
            .toByteArray(),
        "ascending");
    assertRejected(
        decoder,
        vector()
            .addReplicas("a")
            .addCounters(1)
            .addReplicas("a")
            .addCounters(2)
            .build()
            .toByteArray(),
        "ascending");
    assertRejected(
        decoder, vector().addReplicas("a").addCounters(0).build().toByteArray(), "positive");
    assertRejected(
        decoder, vector().addReplicas("a").addCounters(-1).build().toByteArray(), "positive");
    assertRejected(
        decoder, vector().addReplicas("A").addCounters(1).build().toByteArray(), "replica name");
    assertRejected(
        decoder, vector().addReplicas("").addCounters(1).build().toByteArray(), "replica name");
    assertRejected(
        decoder,
        vector()
            .addReplicas("a".repeat(ReplicaIds.NAME_LENGTH_MAX + 1))
            .addCounters(1)
            .build()
            .toByteArray(),
        "replica name");
  }

  @Example
  void invalidDotsAreRejected() {
    DotProto.Builder dot = DotProto.newBuilder().setFormatVersion(ClocksCodec.FORMAT_VERSION);
    assertRejected(
        Decoder.DOT, dot.setReplica("a").setCounter(0).build().toByteArray(), "positive");
    assertRejected(
        Decoder.DOT, dot.setReplica("a").setCounter(-5).build().toByteArray(), "positive");
    assertRejected(
        Decoder.DOT, dot.setReplica(".a").setCounter(1).build().toByteArray(), "replica name");
  }

  @Example
  void nonCanonicalContextsAreRejected() {
    VersionVectorProto compact = ClocksCodec.toProto(VersionVector.of("a", 2));
    CausalContextProto.Builder context =
        CausalContextProto.newBuilder()
            .setFormatVersion(ClocksCodec.FORMAT_VERSION)
            .setCompact(compact);
    Decoder decoder = Decoder.CAUSAL_CONTEXT;
    // Covered by the vector.
    assertRejected(
        decoder,
        context.clone().addCloud(ClocksCodec.toProto(new Dot("a", 2))).build().toByteArray(),
        "canonical");
    // Contiguous with the vector: it belongs in it.
    assertRejected(
        decoder,
        context.clone().addCloud(ClocksCodec.toProto(new Dot("a", 3))).build().toByteArray(),
        "canonical");
    assertRejected(
        decoder,
        context.clone().addCloud(ClocksCodec.toProto(new Dot("b", 1))).build().toByteArray(),
        "canonical");
    // Unsorted and duplicated cloud.
    assertRejected(
        decoder,
        context
            .clone()
            .addCloud(ClocksCodec.toProto(new Dot("b", 5)))
            .addCloud(ClocksCodec.toProto(new Dot("b", 3)))
            .build()
            .toByteArray(),
        "ascending");
    assertRejected(
        decoder,
        context
            .clone()
            .addCloud(ClocksCodec.toProto(new Dot("b", 3)))
            .addCloud(ClocksCodec.toProto(new Dot("b", 3)))
            .build()
            .toByteArray(),
        "ascending");
    // An invalid nested vector or dot.
    assertRejected(
        decoder,
        context
            .clone()
            .setCompact(VersionVectorProto.newBuilder().addReplicas("a").addCounters(0))
            .build()
            .toByteArray(),
        "positive");
    assertRejected(
        decoder,
        context
            .clone()
            .addCloud(DotProto.newBuilder().setReplica("b").setCounter(0))
            .build()
            .toByteArray(),
        "positive");
    // The canonical form of the same dots is accepted.
    assertThat(
            ClocksCodec.decodeCausalContext(
                context
                    .clone()
                    .addCloud(ClocksCodec.toProto(new Dot("a", 4)))
                    .addCloud(ClocksCodec.toProto(new Dot("b", 3)))
                    .build()
                    .toByteArray()))
        .isEqualTo(
            CausalContext.of(VersionVector.of("a", 2), List.of(new Dot("a", 4), new Dot("b", 3))));
  }

  @Example
  void invalidHlcTimestampsAreRejected() {
    byte[] negative =
        HlcTimestampProto.newBuilder()
            .setFormatVersion(ClocksCodec.FORMAT_VERSION)
            .setTimestamp(-1)
            .build()
            .toByteArray();
    assertRejected(Decoder.HLC_TIMESTAMP, negative, "invalid HLC timestamp");
    assertThatThrownBy(() -> ClocksCodec.requireHlc(Long.MIN_VALUE))
        .isInstanceOf(DecodeException.class);
    assertThatThrownBy(() -> ClocksCodec.encodeHlc(-1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Example
  void sharedChecksThrowDecodeException() {
    assertThat(ClocksCodec.requireReplica("eu-west-1")).isEqualTo("eu-west-1");
    assertThatThrownBy(() -> ClocksCodec.requireReplica("x".repeat(500)))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("...");
    assertThatThrownBy(() -> ClocksCodec.requireReplica(null)).isInstanceOf(DecodeException.class);
    assertThatThrownBy(() -> ClocksCodec.requireVersion(2, "thing"))
        .isInstanceOf(DecodeException.class)
        .hasMessage("unknown thing format version 2");
  }
}
