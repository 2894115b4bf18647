package io.meridian.server.auth;

/**
 * What one client may hold of a region's HTTP API (store-server README, "Limits"). A request over
 * an in-flight bound is answered {@code 503 overloaded} with {@code Retry-After}; a connection that
 * misses a read deadline is closed.
 *
 * @param inFlightPerTokenMax requests served at once for one token
 * @param inFlightPerConnectionMax requests served at once on one connection (HTTP/2 streams; an
 *     HTTP/1.1 connection serves one at a time)
 * @param headerReadMillisMax how long a connection may take to deliver a request's headers, from
 *     its opening or from the end of its previous response (an idle keep-alive connection is closed
 *     after as long)
 * @param bodyReadMillisMax how long a request's body may take to arrive once its headers are in
 * @param headerBytesMax the largest request head (request line and headers) accepted
 */
public record ClientBounds(
    int inFlightPerTokenMax,
    int inFlightPerConnectionMax,
    long headerReadMillisMax,
    long bodyReadMillisMax,
    int headerBytesMax) {
  public ClientBounds {
    atLeast("inFlightPerTokenMax", inFlightPerTokenMax, 1);
    atLeast("inFlightPerConnectionMax", inFlightPerConnectionMax, 1);
    atLeast("headerReadMillisMax", headerReadMillisMax, 100);
    atLeast("bodyReadMillisMax", bodyReadMillisMax, 100);
    atLeast("headerBytesMax", headerBytesMax, 1_024);
  }

  /**
   * 1,000 requests in flight per token, 100 per connection, 10 s for the headers, 30 s for the
   * body, heads of 16 KiB.
   */
  public static ClientBounds defaults() {
    return new ClientBounds(1_000, 100, 10_000, 30_000, 16_384);
  }

  private static void atLeast(String name, long value, long least) {
    if (value < least) {
      throw new IllegalArgumentException(name + " must be at least " + least + ", not " + value);
    }
  }
}
