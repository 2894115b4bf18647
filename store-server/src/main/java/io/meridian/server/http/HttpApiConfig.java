package io.meridian.server.http;

/**
 * The bounds of the HTTP API.
 *
 * @param bodyBytesMax the largest request body accepted; over it the answer is {@code too_large}
 * @param inFlightRequestsMax requests being served at once; past it the answer is {@code
 *     overloaded} with {@code Retry-After}
 */
public record HttpApiConfig(long bodyBytesMax, int inFlightRequestsMax) {
  /** 1 MiB bodies (API "Endpoints"), 10,000 requests in flight. */
  public static HttpApiConfig defaults() {
    return new HttpApiConfig(1L << 20, 10_000);
  }

  public HttpApiConfig {
    if (bodyBytesMax < 1) {
      throw new IllegalArgumentException("bodyBytesMax must be positive: " + bodyBytesMax);
    }
    if (inFlightRequestsMax < 1) {
      throw new IllegalArgumentException(
          "inFlightRequestsMax must be positive: " + inFlightRequestsMax);
    }
  }
}
