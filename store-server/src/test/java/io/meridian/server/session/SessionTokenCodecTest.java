package io.meridian.server.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.clocks.DecodeException;
import io.meridian.clocks.VersionVector;
import java.util.Base64;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class SessionTokenCodecTest {
  @Provide
  Arbitrary<VersionVector> vectors() {
    return Arbitraries.maps(
            Arbitraries.of("a", "b", "c", "eu-west", "us-east-1"),
            Arbitraries.longs().between(0, Long.MAX_VALUE))
        .ofMaxSize(5)
        .map(VersionVector::of);
  }

  @Property
  void tokensRoundTripAndEncodeCanonically(
      @ForAll("vectors") VersionVector writes, @ForAll("vectors") VersionVector reads) {
    SessionToken token = SessionToken.of(writes, reads);
    String text = SessionTokenCodec.encode(token);
    assertThat(text)
        .matches("[A-Za-z0-9_-]+")
        .hasSizeLessThanOrEqualTo(SessionTokenCodec.TOKEN_CHARACTERS_MAX);
    assertThat(SessionTokenCodec.decode(text)).isEqualTo(token);
  }

  @Property
  void garbageTextFailsOnlyWithDecodeException(@ForAll String text) {
    try {
      SessionTokenCodec.decode(text);
    } catch (DecodeException expected) {
      // the one allowed failure
    }
  }

  @Property
  void garbageBytesFailOnlyWithDecodeException(@ForAll byte[] bytes) {
    try {
      SessionToken token =
          SessionTokenCodec.decode(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
      // Bytes that happen to be a valid token must be its canonical encoding.
      assertThat(SessionTokenCodec.encode(token))
          .isEqualTo(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
    } catch (DecodeException expected) {
      // the one allowed failure
    }
  }

  @Property
  void requiredVectorsFollowTheGuarantees(
      @ForAll("vectors") VersionVector writes, @ForAll("vectors") VersionVector reads) {
    SessionToken token = SessionToken.of(writes, reads);
    assertThat(token.required(java.util.Set.of(Guarantee.RYW), Guarantee.RequestKind.READ))
        .isEqualTo(writes);
    assertThat(token.required(java.util.Set.of(Guarantee.MR), Guarantee.RequestKind.READ))
        .isEqualTo(reads);
    assertThat(token.required(java.util.Set.of(Guarantee.MW), Guarantee.RequestKind.WRITE))
        .isEqualTo(writes);
    assertThat(token.required(java.util.Set.of(Guarantee.WFR), Guarantee.RequestKind.WRITE))
        .isEqualTo(reads);
    assertThat(token.required(java.util.EnumSet.allOf(Guarantee.class), Guarantee.RequestKind.READ))
        .isEqualTo(writes.merge(reads));
    assertThat(
            token.required(
                java.util.Set.of(Guarantee.MW, Guarantee.WFR), Guarantee.RequestKind.READ))
        .isEqualTo(VersionVector.empty());
  }

  @Property
  void aTokenWithAnUnknownFormatVersionIsRefused() {
    assertThatThrownBy(() -> SessionTokenCodec.decode("CAI")).isInstanceOf(DecodeException.class);
    assertThat(
            SessionTokenCodec.decode(
                SessionTokenCodec.encode(
                    SessionToken.of(VersionVector.of(Map.of("a", 1L)), VersionVector.empty()))))
        .isEqualTo(SessionToken.of(VersionVector.of("a", 1), VersionVector.empty()));
  }
}
