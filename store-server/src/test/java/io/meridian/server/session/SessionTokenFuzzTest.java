package io.meridian.server.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.meridian.clocks.DecodeException;
import io.meridian.clocks.VersionVector;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Coverage-guided fuzz target (Jazzer) of the {@code Meridian-Session} header decoder. Without
 * {@code JAZZER_FUZZ} it replays its corpus under {@code
 * src/test/resources/.../SessionTokenFuzzTestInputs/sessionTokens}; docs/notes/2026-12-fuzzing.md
 * tells how to fuzz. The input's bytes are the header's characters (ISO-8859-1, as HTTP reads
 * them). The property: a token decodes or is refused with {@link DecodeException}; a decoded token
 * encodes to exactly the input (the form is canonical) and decodes again to an equal token.
 */
class SessionTokenFuzzTest {
  @FuzzTest(maxDuration = "10s")
  void sessionTokens(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    SessionToken token;
    try {
      token = SessionTokenCodec.decode(text);
    } catch (DecodeException e) {
      return;
    }
    assertThat(SessionTokenCodec.encode(token)).isEqualTo(text);
    assertThat(SessionTokenCodec.decode(SessionTokenCodec.encode(token))).isEqualTo(token);
  }

  /** Writes the seed corpus (valid tokens) under {@code args[0]}. */
  public static void main(String[] args) throws IOException {
    Path dir = Files.createDirectories(Path.of(args[0]).resolve("sessionTokens"));
    VersionVector write = VersionVector.of("us-east", 12).with("eu-west", 3);
    VersionVector read = write.with("ap-south", 1L << 40);
    Files.writeString(dir.resolve("seed-empty"), SessionTokenCodec.encode(SessionToken.empty()));
    Files.writeString(
        dir.resolve("seed-write"),
        SessionTokenCodec.encode(SessionToken.of(write, VersionVector.empty())));
    Files.writeString(
        dir.resolve("seed-both"), SessionTokenCodec.encode(SessionToken.of(write, read)));
  }
}
