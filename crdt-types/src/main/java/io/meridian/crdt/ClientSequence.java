package io.meridian.crdt;

import java.util.regex.Pattern;

/**
 * A client's identity on an update: the client's id and the update's number in that client's
 * sequence. While the update is not stable it is deduplicated like an operation id; once it is, a
 * fold folds it into the key's high-water mark for the client, and every update of the client
 * numbered at or below the mark is a duplicate. That is sound only for a client that numbers its
 * updates in the order it sends them, sends each only once the previous one is acknowledged, and
 * carries its session token with monotonic writes (see the API extensions).
 *
 * @param client 1 to 64 characters of {@code [A-Za-z0-9_-]}
 * @param sequence 1 to 2^53
 */
public record ClientSequence(String client, long sequence) {
  /** Largest sequence number: 2^53, the largest integer every JSON parser reads exactly. */
  static final long SEQUENCE_MAX = 1L << 53;

  private static final Pattern CLIENT = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  /**
   * Separates the client from the sequence in {@link #operationId()}: not printable ASCII, so no
   * operation id a client sends can equal the form of a client sequence.
   */
  private static final char SEPARATOR = '\u001f';

  /**
   * @throws CrdtRequestException ({@code bad_request}) for a client id or a sequence out of range
   */
  public ClientSequence {
    if (client == null || !CLIENT.matcher(client).matches()) {
      throw JsonMapping.badRequest("client must be 1 to 64 characters of A-Z, a-z, 0-9, _ and -");
    }
    if (sequence < 1 || sequence > SEQUENCE_MAX) {
      throw JsonMapping.badRequest("seq must be an integer from 1 to 2^53");
    }
  }

  /** The form the states keep among operation ids while the update is not stable. */
  String operationId() {
    return client + SEPARATOR + sequence;
  }

  /** The client sequence whose {@link #operationId()} is {@code operationId}, or null. */
  static ClientSequence fromOperationId(String operationId) {
    int separator = operationId.indexOf(SEPARATOR);
    if (separator < 0) {
      return null;
    }
    try {
      return new ClientSequence(
          operationId.substring(0, separator),
          Long.parseLong(operationId.substring(separator + 1)));
    } catch (NumberFormatException | CrdtRequestException e) {
      throw new IllegalArgumentException("not a client sequence: " + operationId, e);
    }
  }
}
