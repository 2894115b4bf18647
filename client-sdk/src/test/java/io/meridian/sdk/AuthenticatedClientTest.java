package io.meridian.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.server.Region;
import io.meridian.server.RegionConfig;
import io.meridian.server.auth.ClientAuthConfig;
import io.meridian.server.auth.TokenFile;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SDK against a region started with API tokens: the builder's token is sent as the bearer, a
 * 401 and a 403 are the typed errors, and the offline queue never stores the token.
 */
class AuthenticatedClientTest {
  private static final String WRITER = TokenFile.newToken();
  private static final String READER = TokenFile.newToken();

  @TempDir static Path data;
  private static Vertx vertx;
  private static Region region;

  @BeforeAll
  static void start() throws Exception {
    Path tokens = data.resolve("api-tokens");
    Files.writeString(
        tokens,
        TokenFile.line("writer", WRITER, "write:*") + TokenFile.line("reader", READER, "read:b"));
    vertx = Vertx.vertx();
    region =
        Region.start(
            vertx,
            RegionConfig.builder("r1", data.resolve("r1"))
                .insecure(true)
                .clientAuth(ClientAuthConfig.tokens(tokens))
                .build());
  }

  @AfterAll
  static void stop() {
    region.close();
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  private static Meridian.Builder client() {
    return Meridian.builder()
        .region("r1", "http://127.0.0.1:" + region.httpPort())
        .requestTimeout(Duration.ofSeconds(5))
        .backoff(Duration.ofMillis(20), Duration.ofMillis(200));
  }

  @Test
  void theTokenIsSentAndItsScopeHolds() {
    try (Meridian writer = client().apiToken(WRITER).build();
        Meridian reader = client().apiToken(READER).build()) {
      writer.counter("b", "k").increment(3);
      assertThat(reader.counter("b", "k").value()).isEqualTo(3);
      assertThatThrownBy(() -> reader.counter("b", "k").increment(1))
          .isInstanceOf(MeridianException.Forbidden.class);
      assertThatThrownBy(() -> reader.counter("other", "k").value())
          .isInstanceOf(MeridianException.Forbidden.class);
      assertThat(writer.counter("b", "k").value()).isEqualTo(3);
    }
  }

  @Test
  void noTokenOrAnUnknownOneIsUnauthorized() {
    try (Meridian anonymous = client().build();
        Meridian forged = client().apiToken(TokenFile.newToken()).build()) {
      assertThatThrownBy(() -> anonymous.counter("b", "k").increment(1))
          .isInstanceOf(MeridianException.Unauthorized.class);
      assertThatThrownBy(() -> forged.counter("b", "k").value())
          .isInstanceOf(MeridianException.Unauthorized.class);
    }
  }

  @Test
  void theOfflineQueueNeverStoresTheToken(@TempDir Path offline) throws Exception {
    String token = TokenFile.newToken();
    // A region that does not answer: every update waits in the queue.
    try (Meridian client =
        Meridian.builder()
            .region("r1", "http://127.0.0.1:1")
            .apiToken(token)
            .offlineDirectory(offline)
            .requestTimeout(Duration.ofSeconds(1))
            .backoff(Duration.ofMillis(20), Duration.ofMillis(200))
            .build()) {
      for (int i = 0; i < 20; i++) {
        client.counter("b", "queued-" + i).increment(1);
      }
    }
    byte[] needle = token.getBytes(StandardCharsets.UTF_8);
    byte[] hash = TokenFile.sha256Hex(token).getBytes(StandardCharsets.UTF_8);
    List<Path> files;
    try (Stream<Path> walk = Files.walk(offline)) {
      files = walk.filter(Files::isRegularFile).toList();
    }
    assertThat(files).anyMatch(file -> file.getFileName().toString().startsWith("meridian.db"));
    boolean updatesFound = false;
    for (Path file : files) {
      byte[] bytes = Files.readAllBytes(file);
      assertThat(indexOf(bytes, needle)).as("the token in %s", file).isEqualTo(-1);
      assertThat(indexOf(bytes, hash)).as("the token's hash in %s", file).isEqualTo(-1);
      updatesFound |= indexOf(bytes, "queued-19".getBytes(StandardCharsets.UTF_8)) >= 0;
    }
    assertThat(updatesFound).as("the queued updates are in the files searched").isTrue();
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
