package io.meridian.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Bucket and key names from a path segment and from a JSON body obey the same bounds. */
class ObjectNamesTest {
  @Test
  void aBodyNameIsMeasuredInUtf8Bytes() {
    String twoBytesEach = "é".repeat(128);
    assertThat(ObjectNames.checkName(twoBytesEach, "key", 256)).isEqualTo(twoBytesEach);
    assertThatThrownBy(() -> ObjectNames.checkName(twoBytesEach + "x", "key", 256))
        .isInstanceOf(ApiException.class)
        .hasMessage("key name is 257 bytes, over 256");
  }

  @Test
  void aBodyNameMustBeNonEmptyUnicode() {
    assertThatThrownBy(() -> ObjectNames.checkName("", "bucket", 256))
        .hasMessage("bucket name is empty");
    assertThatThrownBy(() -> ObjectNames.checkName("a\uD800b", "key", 256))
        .hasMessage("key name is not valid Unicode");
  }

  @Test
  void aPathSegmentIsPercentDecodedStrictly() {
    assertThat(ObjectNames.decodeSegment("caf%C3%A9", "key", 256)).isEqualTo("café");
    assertThat(ObjectNames.decodeSegment("%C3%A9".repeat(128), "key", 256))
        .isEqualTo(ObjectNames.checkName("é".repeat(128), "key", 256));
    assertThatThrownBy(() -> ObjectNames.decodeSegment("%C3%A9".repeat(128) + "x", "key", 256))
        .hasMessage("key name is 257 bytes, over 256");
    assertThatThrownBy(() -> ObjectNames.decodeSegment("a%C", "key", 256))
        .hasMessage("key name has a truncated percent escape");
    assertThatThrownBy(() -> ObjectNames.decodeSegment("a%zz", "key", 256))
        .hasMessage("key name has an invalid percent escape");
    assertThatThrownBy(() -> ObjectNames.decodeSegment("%C3", "key", 256))
        .hasMessage("key name is not valid UTF-8");
  }
}
