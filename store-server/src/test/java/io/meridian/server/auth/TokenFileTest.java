package io.meridian.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The token file's format, scopes, and the store's reloads (on demand and on a real SIGHUP). */
class TokenFileTest {
  private static final String HASH = TokenFile.sha256Hex("t");

  @TempDir Path directory;

  @Test
  void aFileParsesToTokensWithTheirScopes() {
    List<ApiToken> tokens =
        TokenFile.parse(
            "# comment\n\n  ops "
                + HASH
                + " admin,read:*   # trailing comment\r\napp\t"
                + TokenFile.sha256Hex("u")
                + "\twrite:orders-*,read:audit\n");
    assertThat(tokens).extracting(ApiToken::name).containsExactly("ops", "app");
    Grants ops = tokens.get(0).grants();
    assertThat(ops.admin()).isTrue();
    assertThat(ops.allows(Access.READ, "anything")).isTrue();
    assertThat(ops.allows(Access.WRITE, "anything")).isFalse();
    Grants app = tokens.get(1).grants();
    assertThat(app.admin()).isFalse();
    assertThat(app.allows(Access.WRITE, "orders-eu")).isTrue();
    assertThat(app.allows(Access.READ, "orders-eu")).as("write includes read").isTrue();
    assertThat(app.allows(Access.WRITE, "orders")).isFalse();
    assertThat(app.allows(Access.READ, "audit")).isTrue();
    assertThat(app.allows(Access.WRITE, "audit")).isFalse();
    assertThat(app.allows(Access.READ, "audit2")).as("no star: exact").isFalse();
    assertThat(app.allowsEveryBucket(Access.READ)).isFalse();
    assertThat(tokens.get(0).hashEquals(TokenFile.sha256("t"))).isTrue();
    assertThat(tokens.get(0).hashEquals(TokenFile.sha256("T"))).isFalse();
  }

  @Test
  void everyMalformedLineFailsTheWholeFileNamingTheLine() {
    List<String> bad =
        List.of(
            "ops " + HASH,
            "ops " + HASH + " admin extra",
            "ops " + HASH.toUpperCase(java.util.Locale.ROOT) + " admin",
            "ops " + HASH.substring(1) + " admin",
            "ops t admin",
            "-ops " + HASH + " admin",
            "ops " + HASH + " root",
            "ops " + HASH + " admin,",
            "ops " + HASH + " read:",
            "ops " + HASH + " read:a*b",
            "ops " + HASH + " read:**",
            "ops " + HASH + " write:" + "x".repeat(300),
            "ops " + HASH + " admin\nops " + TokenFile.sha256Hex("u") + " admin",
            "ops " + HASH + " admin\nother " + HASH + " admin");
    for (String text : bad) {
      assertThatThrownBy(() -> TokenFile.parse("# first\n" + text))
          .as(text)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("line ");
    }
  }

  @Test
  void newTokensAreDistinctAndTheFileHoldsOnlyTheirHash() {
    String token = TokenFile.newToken();
    assertThat(token).hasSize(43).isNotEqualTo(TokenFile.newToken());
    String line = TokenFile.line("n", token, "admin");
    assertThat(line)
        .doesNotContain(token)
        .isEqualTo("n " + TokenFile.sha256Hex(token) + " admin\n");
  }

  @Test
  void aBrokenFileKeepsThePreviousTokensUntilItIsFixed() throws Exception {
    Path file = Files.writeString(directory.resolve("tokens"), TokenFile.line("a", "t", "admin"));
    TokenStore store = TokenStore.open(file, new SimpleMeterRegistry());
    assertThat(store.reload()).as("unchanged bytes").isFalse();
    Files.writeString(file, "a " + HASH + " nonsense\n");
    assertThat(store.reload()).isFalse();
    assertThat(store.valid()).isFalse();
    assertThat(store.find(TokenFile.sha256("t"))).isPresent();
    Files.delete(file);
    assertThat(store.reload()).isFalse();
    assertThat(store.find(TokenFile.sha256("t"))).isPresent();
    Files.writeString(file, TokenFile.line("b", "u", "read:*"));
    assertThat(store.reload()).isTrue();
    assertThat(store.valid()).isTrue();
    assertThat(store.find(TokenFile.sha256("t"))).isEmpty();
    assertThat(store.find(TokenFile.sha256("u"))).map(ApiToken::name).contains("b");
    assertThatThrownBy(() -> TokenStore.open(directory.resolve("none"), new SimpleMeterRegistry()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aRealSighupReloadsTheFile() throws Exception {
    Path file = Files.writeString(directory.resolve("tokens"), TokenFile.line("a", "t", "admin"));
    TokenStore store = TokenStore.open(file, new SimpleMeterRegistry());
    Runnable listener = store::reload;
    HangupSignal.add(listener);
    try {
      Files.writeString(file, TokenFile.line("b", "u", "admin"));
      // Nothing else reads the file here: only the signal can change the tokens.
      sun.misc.Signal.raise(new sun.misc.Signal("HUP"));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (store.find(TokenFile.sha256("u")).isEmpty()) {
        assertThat(System.nanoTime()).as("the SIGHUP reload").isLessThan(deadline);
        Thread.sleep(50);
      }
      assertThat(store.find(TokenFile.sha256("t"))).isEmpty();
    } finally {
      HangupSignal.remove(listener);
    }
  }
}
