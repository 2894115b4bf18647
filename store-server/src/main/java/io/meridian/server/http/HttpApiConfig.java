package io.meridian.server.http;

import io.meridian.crdt.CrdtRegistry;
import io.meridian.server.session.SessionTokenCodec;

/**
 * The bounds of the HTTP API: what a single request may carry and how many are served at once. Each
 * has a command-line option (store-server README, "Limits"); a request over a bound is refused with
 * a clear error and changes nothing.
 *
 * @param bodyBytesMax the largest request body accepted; over it the answer is {@code too_large}
 * @param inFlightRequestsMax requests being served at once; past it the answer is {@code
 *     overloaded} with {@code Retry-After}
 * @param nameBytesMax the longest bucket or key name, in bytes of UTF-8 (at most {@value
 *     #NAME_BYTES_CEILING}, the API's bound); longer is a {@code bad_request}
 * @param itemsPerRequestMax most updates in a batch and keys in a read (at most {@value
 *     #ITEMS_PER_REQUEST_CEILING}, the API's bound); more is a {@code bad_request}
 * @param elementsPerUpdateMax most elements one update carries, counted over its whole tree: set
 *     elements, list values, map entries and removed fields, nested maps included; more is a {@code
 *     too_large}
 * @param nestingDepthMax most levels of updates in one update, the top one included (2: a map whose
 *     fields are not maps); deeper is a {@code bad_request}
 * @param sessionTokenCharactersMax the longest {@code Meridian-Session} token accepted; longer is a
 *     {@code bad_request}
 */
public record HttpApiConfig(
    long bodyBytesMax,
    int inFlightRequestsMax,
    int nameBytesMax,
    int itemsPerRequestMax,
    int elementsPerUpdateMax,
    int nestingDepthMax,
    int sessionTokenCharactersMax) {
  /** The API's bound on bucket and key names. */
  public static final int NAME_BYTES_CEILING = 256;

  /** The API's bound on updates in a batch and keys in a read. */
  public static final int ITEMS_PER_REQUEST_CEILING = 1_000;

  /** The deepest map nesting the server accepts to be configured. */
  public static final int NESTING_DEPTH_CEILING = CrdtRegistry.NESTING_DEPTH_CEILING;

  /**
   * 1 MiB bodies, 10,000 requests in flight, names of 256 bytes, 1,000 items per batch or read,
   * 10,000 elements per update, updates nested 16 levels deep (API "Objects"), session tokens of
   * 4,096 characters.
   */
  public static HttpApiConfig defaults() {
    return new HttpApiConfig(1L << 20, 10_000);
  }

  /** The given body and in-flight bounds, every other bound at its default. */
  public HttpApiConfig(long bodyBytesMax, int inFlightRequestsMax) {
    this(
        bodyBytesMax,
        inFlightRequestsMax,
        NAME_BYTES_CEILING,
        ITEMS_PER_REQUEST_CEILING,
        10_000,
        CrdtRegistry.NESTING_DEPTH_DEFAULT,
        SessionTokenCodec.TOKEN_CHARACTERS_MAX);
  }

  public HttpApiConfig {
    between("bodyBytesMax", bodyBytesMax, 1, Long.MAX_VALUE);
    between("inFlightRequestsMax", inFlightRequestsMax, 1, Integer.MAX_VALUE);
    between("nameBytesMax", nameBytesMax, 1, NAME_BYTES_CEILING);
    between("itemsPerRequestMax", itemsPerRequestMax, 1, ITEMS_PER_REQUEST_CEILING);
    between("elementsPerUpdateMax", elementsPerUpdateMax, 1, Integer.MAX_VALUE);
    between("nestingDepthMax", nestingDepthMax, 1, NESTING_DEPTH_CEILING);
    between("sessionTokenCharactersMax", sessionTokenCharactersMax, 256, Integer.MAX_VALUE);
  }

  private static void between(String name, long value, long least, long most) {
    if (value < least || value > most) {
      throw new IllegalArgumentException(
          name
              + " must be "
              + (most == Long.MAX_VALUE || most == Integer.MAX_VALUE
                  ? "at least " + least
                  : least + " to " + most)
              + ", not "
              + value);
    }
  }
}
