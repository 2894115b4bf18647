package io.meridian.server.cli;

import io.meridian.server.auth.ClientAuthConfig;
import io.meridian.server.auth.ClientBounds;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * Who may use a region's HTTP API and what one client may hold, as options shared by {@code
 * meridian server} and {@code meridian local} (each also from {@code --config}).
 */
final class AuthOptions {
  @Option(
      names = "--api-tokens",
      description =
          "API token file (NAME SHA256 SCOPES per line); without it the HTTP API is OPEN to anyone"
              + " who reaches it.")
  Path apiTokens;

  @Option(
      names = "--metrics-open",
      description = "Serve /metrics and /v1/status without a token (for a scraper).")
  boolean metricsOpen;

  @Option(
      names = "--http2-cleartext",
      description =
          "Serve HTTP/2 without TLS (h2c) to clients that offer it; a connection's first request"
              + " head then escapes the header deadline.")
  boolean cleartextHttp2;

  @Option(
      names = "--in-flight-per-token-max",
      defaultValue = "1000",
      description = "Requests served at once for one token (default 1,000); past it overloaded.")
  int inFlightPerTokenMax;

  @Option(
      names = "--in-flight-per-connection-max",
      defaultValue = "100",
      description = "HTTP/2 streams served at once on one connection (default 100).")
  int inFlightPerConnectionMax;

  @Option(
      names = "--header-read-millis-max",
      defaultValue = "10000",
      description =
          "How long a connection may take to send a request's headers, also the idle keep-alive"
              + " time (default 10,000 ms); then it is closed.")
  long headerReadMillisMax;

  @Option(
      names = "--body-read-millis-max",
      defaultValue = "30000",
      description = "How long a request's body may take (default 30,000 ms); then it is closed.")
  long bodyReadMillisMax;

  @Option(
      names = "--header-bytes-max",
      defaultValue = "16384",
      description = "Largest request head, request line and headers (default 16 KiB): 431.")
  int headerBytesMax;

  /** The configuration with {@code tokens} (a file or empty), or a usage error. */
  ClientAuthConfig clientAuth(CommandLine.Model.CommandSpec spec, Optional<Path> tokens) {
    try {
      return new ClientAuthConfig(
          tokens,
          metricsOpen,
          new ClientBounds(
              inFlightPerTokenMax,
              inFlightPerConnectionMax,
              headerReadMillisMax,
              bodyReadMillisMax,
              headerBytesMax),
          cleartextHttp2);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--" + LimitOptions.kebab(e.getMessage()));
    }
  }

  /** The configuration of {@code --api-tokens}, or a usage error. */
  ClientAuthConfig clientAuth(CommandLine.Model.CommandSpec spec) {
    return clientAuth(spec, Optional.ofNullable(apiTokens));
  }

  /** Says loudly, on standard error, that the API is open. */
  static void warnIfOpen(ClientAuthConfig config) {
    if (config.tokenFile().isEmpty()) {
      System.err.println(
          "meridian: WARNING: no --api-tokens: the HTTP API is OPEN: anyone who reaches its port"
              + " reads and writes every bucket.");
    }
  }
}
