package io.meridian.sdk;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;

/**
 * The identity of a client's updates: a client id (persisted in the offline directory, or drawn
 * once per client) and a per-client sequence number that grows by one per update. This is the one
 * place that knows the wire form of that identity, today the per-key operation id {@code
 * "<clientId>.<seq>"} that a region deduplicates (API "Objects", {@code "id"}).
 *
 * <p>The server's per-client deduplication (a high-water mark of {@code seq} per key and client in
 * the replicated state) relies on what the SDK promises here: one client's updates leave in {@code
 * seq} order, each only after the previous one was acknowledged (or together in one batch), and
 * each carries the session token, so monotonic writes orders them at every region.
 */
final class OperationIdentity {
  /** Random bytes of a client id: 128 bits, so two clients never draw the same one. */
  private static final int CLIENT_ID_BYTES = 16;

  private static final SecureRandom RANDOM = new SecureRandom();

  private final String clientId;

  OperationIdentity(String clientId) {
    this.clientId = requireClientId(clientId);
  }

  /** A fresh client id: 22 characters of unpadded base64url. */
  static String newClientId() {
    byte[] bytes = new byte[CLIENT_ID_BYTES];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static String requireClientId(String clientId) {
    Objects.requireNonNull(clientId, "clientId");
    if (clientId.isEmpty()
        || clientId.length() > 64
        || !clientId.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '.')) {
      throw new IllegalArgumentException("a client id is 1 to 64 printable ASCII characters");
    }
    return clientId;
  }

  String clientId() {
    return clientId;
  }

  /** The operation id that the update numbered {@code seq} carries. */
  String wireId(long seq) {
    if (seq < 1) {
      throw new IllegalArgumentException("sequence numbers start at 1: " + seq);
    }
    return clientId + "." + seq;
  }
}
