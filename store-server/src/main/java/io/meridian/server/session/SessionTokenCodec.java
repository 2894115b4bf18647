package io.meridian.server.session;

import com.google.protobuf.InvalidProtocolBufferException;
import io.meridian.clocks.ClocksCodec;
import io.meridian.clocks.DecodeException;
import io.meridian.server.proto.SessionTokenProto;
import java.util.Base64;

/**
 * The {@code Meridian-Session} header form of a {@link SessionToken}: a {@code SessionTokenProto}
 * with its format version, in unpadded base64url. Encoding is deterministic (the vectors encode in
 * sorted order). Decoding accepts only what {@link #encode} can produce, up to {@link
 * #TOKEN_CHARACTERS_MAX}, and throws only {@link DecodeException}: a garbage token is the client's
 * error, answered {@code bad_request}.
 *
 * <p>Unknown protobuf fields are refused rather than skipped: regions of one deployment issue the
 * tokens, and a new field comes with a new format version.
 */
public final class SessionTokenCodec {
  /** The format version written by this code. */
  public static final int FORMAT_VERSION = 1;

  /**
   * Longest token accepted, in characters: two vectors of 16 regions with 64-character names and
   * full 64-bit counters take about 3,000, so this leaves room without letting a header grow
   * without end.
   */
  public static final int TOKEN_CHARACTERS_MAX = 4096;

  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  private SessionTokenCodec() {}

  public static String encode(SessionToken token) {
    byte[] bytes =
        SessionTokenProto.newBuilder()
            .setFormatVersion(FORMAT_VERSION)
            .setWriteVector(ClocksCodec.toProto(token.writeVector()))
            .setReadVector(ClocksCodec.toProto(token.readVector()))
            .build()
            .toByteArray();
    return ENCODER.encodeToString(bytes);
  }

  /**
   * Decodes a header value.
   *
   * @throws DecodeException when the text is too long, not unpadded base64url, not a token, of an
   *     unknown format version, or holds an invalid vector
   */
  public static SessionToken decode(String text) {
    return decode(text, TOKEN_CHARACTERS_MAX);
  }

  /** As {@link #decode(String)}, accepting tokens of at most {@code charactersMax} characters. */
  public static SessionToken decode(String text, int charactersMax) {
    if (text == null || text.isEmpty()) {
      throw new DecodeException("empty session token");
    }
    if (text.length() > charactersMax) {
      throw new DecodeException("session token longer than " + charactersMax + " characters");
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean allowed =
          (c >= 'A' && c <= 'Z')
              || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '_';
      if (!allowed) {
        throw new DecodeException("session token is not unpadded base64url");
      }
    }
    byte[] bytes;
    try {
      bytes = DECODER.decode(text);
    } catch (IllegalArgumentException e) {
      throw new DecodeException("session token is not unpadded base64url", e);
    }
    SessionTokenProto proto;
    try {
      proto = SessionTokenProto.parseFrom(bytes);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      throw new DecodeException("malformed session token", e);
    }
    ClocksCodec.requireVersion(proto.getFormatVersion(), "session token");
    if (!proto.getUnknownFields().asMap().isEmpty()
        || !proto.getWriteVector().getUnknownFields().asMap().isEmpty()
        || !proto.getReadVector().getUnknownFields().asMap().isEmpty()) {
      throw new DecodeException("session token has unknown fields");
    }
    if (proto.getWriteVector().getFormatVersion() != 0
        || proto.getReadVector().getFormatVersion() != 0) {
      throw new DecodeException("session token vectors carry a format version of their own");
    }
    SessionToken token =
        SessionToken.of(
            ClocksCodec.fromProto(proto.getWriteVector()),
            ClocksCodec.fromProto(proto.getReadVector()));
    if (!encode(token).equals(text)) {
      throw new DecodeException("session token is not in canonical form");
    }
    return token;
  }
}
