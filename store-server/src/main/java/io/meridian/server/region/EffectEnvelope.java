package io.meridian.server.region;

import io.meridian.clocks.DecodeException;
import io.meridian.crdt.CrdtRegistry;
import io.meridian.crdt.Effect;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The payload of one key update in a log entry: the CRDT effect and the client's operation id, so
 * that every region, not only the origin, learns the id and refuses a retry of it for the retention
 * period (API "id", property S4). Form: {@code format version (1 byte) | id length (1 byte, 0 =
 * none) | id (ASCII) | effect (the CRDT codec's bytes)}.
 *
 * @param operationId the client's operation id, or null
 * @param effect the effect
 */
record EffectEnvelope(String operationId, Effect effect) {
  static final int FORMAT_VERSION = 1;

  byte[] encode() {
    byte[] id = operationId == null ? new byte[0] : operationId.getBytes(StandardCharsets.US_ASCII);
    byte[] effectBytes = CrdtRegistry.encodeEffect(effect);
    ByteBuffer buffer = ByteBuffer.allocate(2 + id.length + effectBytes.length);
    buffer.put((byte) FORMAT_VERSION).put((byte) id.length).put(id).put(effectBytes);
    return buffer.array();
  }

  /**
   * @throws DecodeException when the bytes are not an envelope of a known version
   */
  static EffectEnvelope decode(byte[] bytes) {
    if (bytes.length < 2) {
      throw new DecodeException("effect envelope too short");
    }
    if (bytes[0] != FORMAT_VERSION) {
      throw new DecodeException("unknown effect envelope format version " + bytes[0]);
    }
    int idLength = bytes[1] & 0xff;
    if (bytes.length < 2 + idLength) {
      throw new DecodeException("effect envelope shorter than its operation id");
    }
    String id = idLength == 0 ? null : new String(bytes, 2, idLength, StandardCharsets.US_ASCII);
    byte[] effectBytes = new byte[bytes.length - 2 - idLength];
    System.arraycopy(bytes, 2 + idLength, effectBytes, 0, effectBytes.length);
    return new EffectEnvelope(id, CrdtRegistry.decodeEffect(effectBytes));
  }
}
