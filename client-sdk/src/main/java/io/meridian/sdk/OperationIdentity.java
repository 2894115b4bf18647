package io.meridian.sdk;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The identity of a client's updates: a client id (persisted in the offline directory, or drawn
 * once per client) and a per-client sequence number allocated in queue order. This is the one place
 * that knows the wire form of that identity: a client sequence, {@code "client"} and {@code "seq"}
 * at the top level of an update, or once beside a batch's {@code "updates"} (whose items carry
 * neither), as {@code docs/api-extensions.md} "Exactly once without a time limit" defines. A region
 * keeps a high-water mark of {@code seq} per key and client in the replicated state, so a retry
 * counts once however long after the first attempt it comes.
 *
 * <p>That holds because the SDK keeps the contract's client rules: one writer per client id (an
 * offline directory is locked; an online client draws a fresh id); {@code seq} grows in the order
 * updates are sent (the queue's order; a batch of n updates takes n numbers locally and sends the
 * first, gaps are allowed); one entry at a time, the next only once the previous has an answer; the
 * same body on every retry (the queue stores it); and every update carries the session token of the
 * previous answer (monotonic writes).
 */
final class OperationIdentity {
  /** Random bytes of a client id: 128 bits, so two clients never draw the same one. */
  private static final int CLIENT_ID_BYTES = 16;

  /** The API's largest {@code seq}: 2^53, exact as a JSON number everywhere. */
  static final long SEQ_MAX = 1L << 53;

  private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  private static final SecureRandom RANDOM = new SecureRandom();

  private final String clientId;

  OperationIdentity(String clientId) {
    this.clientId = requireClientId(clientId);
  }

  /** A fresh client id: 22 characters of unpadded base64url (the API's client characters). */
  static String newClientId() {
    byte[] bytes = new byte[CLIENT_ID_BYTES];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** {@code clientId} if the API takes it: 1 to 64 of {@code A-Z a-z 0-9 _ -}. */
  static String requireClientId(String clientId) {
    Objects.requireNonNull(clientId, "clientId");
    if (!CLIENT_ID.matcher(clientId).matches()) {
      throw new IllegalArgumentException("a client id is 1 to 64 of A-Z, a-z, 0-9, _ and -");
    }
    return clientId;
  }

  String clientId() {
    return clientId;
  }

  /**
   * Marks {@code request} (a single update's body, or a whole batch) as update {@code seq} of this
   * client.
   */
  ObjectNode stamp(ObjectNode request, long seq) {
    requireSeq(seq);
    request.remove("id");
    request.put("client", clientId);
    request.put("seq", seq);
    return request;
  }

  /** The identity a receipt shows for update (or batch) {@code seq}: {@code "<clientId>.<seq>"}. */
  String display(long seq) {
    requireSeq(seq);
    return clientId + "." + seq;
  }

  /**
   * The operation id of update {@code seq} inside the offline replica's local states, which are
   * never sent; unique per update of this client (a batch's updates each have their own number).
   */
  String localOperationId(long seq) {
    return display(seq);
  }

  private static void requireSeq(long seq) {
    if (seq < 1 || seq > SEQ_MAX) {
      throw new IllegalArgumentException("sequence numbers are 1 to 2^53: " + seq);
    }
  }
}
