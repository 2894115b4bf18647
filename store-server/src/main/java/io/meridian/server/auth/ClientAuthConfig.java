package io.meridian.server.auth;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * How a region admits clients of its HTTP API. Immutable; {@link #equals} is structural.
 *
 * @param tokenFile the API token file; empty: the API is open to anyone who reaches it
 * @param metricsOpen serve {@code /metrics} and {@code /v1/status} without a token (for a scraper);
 *     otherwise they need the {@code admin} scope
 * @param bounds what one client may hold
 * @param cleartextHttp2 serve HTTP/2 without TLS (h2c) to clients that offer it; then the header
 *     deadline of a connection starts only with its first complete request head
 */
public record ClientAuthConfig(
    Optional<Path> tokenFile, boolean metricsOpen, ClientBounds bounds, boolean cleartextHttp2) {
  public ClientAuthConfig {
    Objects.requireNonNull(tokenFile, "tokenFile");
    Objects.requireNonNull(bounds, "bounds");
  }

  /** No token file (open, as before authentication existed) and the default bounds. */
  public static ClientAuthConfig open() {
    return new ClientAuthConfig(Optional.empty(), false, ClientBounds.defaults(), false);
  }

  /** Tokens from {@code file}, admin needed for status and metrics, the default bounds. */
  public static ClientAuthConfig tokens(Path file) {
    return new ClientAuthConfig(Optional.of(file), false, ClientBounds.defaults(), false);
  }
}
