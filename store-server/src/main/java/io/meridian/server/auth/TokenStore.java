package io.meridian.server.auth;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The tokens of one token file, as last read successfully. {@link #reload} reads the file again: a
 * file that cannot be read or parsed keeps the previous tokens in force, is logged (once per
 * distinct failure) and counted ({@code meridian_auth_reloads_total{result="failed"}}, {@code
 * meridian_auth_file_valid} 0). Thread-safe: lookups read one immutable list.
 */
public final class TokenStore {
  private static final Logger LOG = Logger.getLogger(TokenStore.class.getName());

  private final Path file;
  private final Counter reloadsOk;
  private final Counter reloadsFailed;
  private volatile List<ApiToken> tokens;
  private volatile boolean valid = true;
  private byte[] lastBytes;
  private String lastFailure;

  private TokenStore(Path file, MeterRegistry registry, byte[] bytes, List<ApiToken> tokens) {
    this.file = file;
    this.lastBytes = bytes;
    this.tokens = tokens;
    this.reloadsOk =
        Counter.builder("meridian.auth.reloads")
            .description("token file reads that changed the tokens in force, or failed")
            .tag("result", "ok")
            .register(registry);
    this.reloadsFailed =
        Counter.builder("meridian.auth.reloads").tag("result", "failed").register(registry);
    Gauge.builder("meridian.auth.tokens", this, store -> store.tokens.size())
        .description("API tokens in force")
        .register(registry);
    Gauge.builder("meridian.auth.file.valid", this, store -> store.valid ? 1 : 0)
        .description("1 while the token file's last read parsed, 0 while older tokens are in force")
        .register(registry);
  }

  /**
   * The tokens of {@code file}.
   *
   * @throws IllegalArgumentException when the file cannot be read or parsed: a region does not
   *     start on a broken token file
   */
  public static TokenStore open(Path file, MeterRegistry registry) {
    Objects.requireNonNull(file, "file");
    byte[] bytes = read(file);
    return new TokenStore(file, registry, bytes, parse(file, bytes));
  }

  /** The file the tokens come from. */
  public Path file() {
    return file;
  }

  /** The tokens in force. */
  public List<ApiToken> tokens() {
    return tokens;
  }

  /** Whether the file's last read parsed (false: the tokens of an earlier read are in force). */
  public boolean valid() {
    return valid;
  }

  /**
   * The token whose SHA-256 is {@code sha256}. Every token's hash is compared, each in time
   * independent of its bytes, so the time taken does not tell how much of a hash matched.
   */
  public Optional<ApiToken> find(byte[] sha256) {
    ApiToken found = null;
    for (ApiToken token : tokens) {
      if (token.hashEquals(sha256) && found == null) {
        found = token;
      }
    }
    return Optional.ofNullable(found);
  }

  /**
   * Reads the file again; when its bytes changed, parses it and puts its tokens in force, or, when
   * it cannot be read or parsed, keeps the tokens in force and reports the failure.
   *
   * @return whether the tokens in force changed
   */
  public synchronized boolean reload() {
    byte[] bytes;
    List<ApiToken> parsed;
    try {
      bytes = read(file);
      if (Arrays.equals(bytes, lastBytes) && valid) {
        return false;
      }
      parsed = parse(file, bytes);
    } catch (IllegalArgumentException e) {
      valid = false;
      reloadsFailed.increment();
      if (!e.getMessage().equals(lastFailure)) {
        lastFailure = e.getMessage();
        LOG.severe(
            "meridian: the API token file could not be read again; the "
                + tokens.size()
                + " tokens read before stay in force: "
                + e.getMessage());
      }
      return false;
    }
    lastBytes = bytes;
    lastFailure = null;
    valid = true;
    boolean changed = !parsed.equals(tokens);
    tokens = parsed;
    reloadsOk.increment();
    LOG.info("meridian: API token file read again: " + parsed.size() + " tokens in force");
    return changed;
  }

  private static byte[] read(Path file) {
    try {
      long size = Files.size(file);
      if (size > TokenFile.FILE_BYTES_MAX) {
        throw new IllegalArgumentException(
            file + ": over " + TokenFile.FILE_BYTES_MAX + " bytes (" + size + ")");
      }
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read " + file + ": " + e, e);
    }
  }

  private static List<ApiToken> parse(Path file, byte[] bytes) {
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(java.nio.ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(file + ": not UTF-8");
    }
    try {
      return TokenFile.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }
}
