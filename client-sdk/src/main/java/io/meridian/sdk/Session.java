package io.meridian.sdk;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import io.meridian.clocks.ClocksCodec;
import io.meridian.clocks.DecodeException;
import io.meridian.clocks.VersionVector;
import io.meridian.clocks.proto.VersionVectorProto;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Base64;

/**
 * The client's session: what it has written and read, as the two version vectors of the {@code
 * Meridian-Session} token. Every answer carries a token; the session keeps the least upper bound of
 * all of them, so answers that arrive out of order (async calls, a failover) never move it back.
 * Thread safe.
 *
 * <p>The token is opaque to applications, but the SDK must merge tokens, so it reads the region's
 * form: a protobuf {@code {format_version = 1, write_vector = 2, read_vector = 3}} in unpadded
 * base64url, with the clocks module's vector encoding. A token the SDK cannot read is kept out of
 * the session (and counted as the region's error), never guessed at.
 */
final class Session {
  private static final int FORMAT_VERSION = 1;
  private static final int FORMAT_VERSION_FIELD = 1;
  private static final int WRITE_VECTOR_FIELD = 2;
  private static final int READ_VECTOR_FIELD = 3;

  private VersionVector writeVector = VersionVector.empty();
  private VersionVector readVector = VersionVector.empty();

  /** The token to send, or null while the session has done nothing. */
  synchronized String token() {
    if (writeVector.isEmpty() && readVector.isEmpty()) {
      return null;
    }
    return encode(writeVector, readVector);
  }

  /** Everything the session's writes depend on (its last acknowledged write included). */
  synchronized VersionVector writeVector() {
    return writeVector;
  }

  synchronized VersionVector readVector() {
    return readVector;
  }

  /**
   * Merges a token from an answer (or from the offline directory).
   *
   * @throws DecodeException when the token is not in the region's form
   */
  void merge(String token) {
    VersionVector[] vectors = decode(token);
    synchronized (this) {
      writeVector = writeVector.merge(vectors[0]);
      readVector = readVector.merge(vectors[1]);
    }
  }

  static String encode(VersionVector write, VersionVector read) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      out.writeUInt32(FORMAT_VERSION_FIELD, FORMAT_VERSION);
      out.writeMessage(WRITE_VECTOR_FIELD, ClocksCodec.toProto(write));
      out.writeMessage(READ_VECTOR_FIELD, ClocksCodec.toProto(read));
      out.flush();
      return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.toByteArray());
    } catch (IOException e) {
      throw new IllegalStateException("writing to memory failed", e);
    }
  }

  /** The write and read vectors of {@code token}. */
  static VersionVector[] decode(String token) {
    VersionVector write = VersionVector.empty();
    VersionVector read = VersionVector.empty();
    int version = 0;
    try {
      CodedInputStream in = CodedInputStream.newInstance(Base64.getUrlDecoder().decode(token));
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        int field = WireFormat.getTagFieldNumber(tag);
        if (field == FORMAT_VERSION_FIELD) {
          version = in.readUInt32();
        } else if (field == WRITE_VECTOR_FIELD) {
          write = ClocksCodec.fromProto(VersionVectorProto.parseFrom(in.readBytes()));
        } else if (field == READ_VECTOR_FIELD) {
          read = ClocksCodec.fromProto(VersionVectorProto.parseFrom(in.readBytes()));
        } else {
          throw new DecodeException("session token has an unknown field " + field);
        }
      }
    } catch (IOException | IllegalArgumentException e) {
      throw new DecodeException("malformed session token", e);
    }
    if (version != FORMAT_VERSION) {
      throw new DecodeException("session token of unknown format version " + version);
    }
    return new VersionVector[] {write, read};
  }
}
