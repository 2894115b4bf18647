package io.meridian.server.region;

import com.google.protobuf.ByteString;
import io.meridian.clocks.DecodeException;
import java.nio.ByteBuffer;

/**
 * One key as a state transfer carries it between regions: its CRDT state and the operation ids
 * applied to it. A region that learns an update only inside a transferred state must learn its id
 * too: once the states fold the id away (it is stable), the table of applied ids is all that
 * refuses a retry, and without the id a retry there would count a second time (S4). Form: {@code
 * format version (1 byte) | state length (4 bytes) | state (the CRDT codec's bytes) | ids (the
 * operation id table's form of the key; absent when it has none)}.
 *
 * @param state the key's encoded CRDT state
 * @param operationIds the key's operation ids in {@link OperationIdTable}'s form, or null
 */
record TransferredKey(byte[] state, ByteString operationIds) {
  static final int FORMAT_VERSION = 1;
  private static final int HEADER_BYTES = 5;

  byte[] encode() {
    int idBytes = operationIds == null ? 0 : operationIds.size();
    ByteBuffer buffer = ByteBuffer.allocate(HEADER_BYTES + state.length + idBytes);
    buffer.put((byte) FORMAT_VERSION).putInt(state.length).put(state);
    if (operationIds != null) {
      operationIds.copyTo(buffer);
    }
    return buffer.array();
  }

  /**
   * @throws DecodeException when the bytes are not a transferred key of a known version
   */
  static TransferredKey decode(byte[] bytes) {
    if (bytes.length < HEADER_BYTES) {
      throw new DecodeException("transferred key too short");
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    int version = buffer.get();
    if (version != FORMAT_VERSION) {
      throw new DecodeException("unknown transferred key format version " + version);
    }
    int stateLength = buffer.getInt();
    if (stateLength < 0 || stateLength > buffer.remaining()) {
      throw new DecodeException("transferred key shorter than its state");
    }
    byte[] state = new byte[stateLength];
    buffer.get(state);
    ByteString ids = buffer.hasRemaining() ? ByteString.copyFrom(buffer) : null;
    return new TransferredKey(state, ids);
  }
}
