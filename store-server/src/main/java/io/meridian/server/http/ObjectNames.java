package io.meridian.server.http;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Bucket and key names (API "Objects"): UTF-8 strings of 1 to 256 bytes, percent-encoded in the
 * path. Decoding is strict: a {@code %} not followed by two hex digits, bytes that are not valid
 * UTF-8, or a length outside the bounds is a {@code bad_request}.
 */
public final class ObjectNames {
  /**
   * Longest bucket or key name, in UTF-8 bytes, by default ({@link HttpApiConfig#nameBytesMax}).
   */
  public static final int NAME_BYTES_MAX = HttpApiConfig.NAME_BYTES_CEILING;

  private ObjectNames() {}

  /**
   * Decodes one raw path segment ({@code what} is "bucket" or "key", for the message).
   *
   * @throws ApiException {@code bad_request} for a malformed or out-of-bounds name
   */
  public static String decodeSegment(String raw, String what) {
    return decodeSegment(raw, what, NAME_BYTES_MAX);
  }

  /** As {@link #decodeSegment(String, String)}, with names of at most {@code bytesMax} bytes. */
  public static String decodeSegment(String raw, String what, int bytesMax) {
    byte[] bytes = new byte[raw.length()];
    int length = 0;
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        if (i + 2 >= raw.length()) {
          throw ApiException.badRequest(what + " name has a truncated percent escape");
        }
        int high = Character.digit(raw.charAt(i + 1), 16);
        int low = Character.digit(raw.charAt(i + 2), 16);
        if (high < 0 || low < 0) {
          throw ApiException.badRequest(what + " name has an invalid percent escape");
        }
        bytes[length++] = (byte) (high * 16 + low);
        i += 2;
      } else if (c > 0xFF) {
        // The request line arrives as bytes; a char above one byte cannot come from it.
        throw ApiException.badRequest(what + " name is not valid UTF-8");
      } else {
        bytes[length++] = (byte) c;
      }
    }
    return checkedName(bytes, length, what, bytesMax);
  }

  /**
   * Checks a name that arrived in a JSON body (already a string).
   *
   * @throws ApiException {@code bad_request} when it is empty, too long or holds a lone surrogate
   */
  public static String checkName(String name, String what) {
    return checkName(name, what, NAME_BYTES_MAX);
  }

  /** As {@link #checkName(String, String)}, with names of at most {@code bytesMax} bytes. */
  public static String checkName(String name, String what, int bytesMax) {
    int length;
    try {
      // One strict encoding both finds a lone surrogate and measures the name; the string itself
      // is already the decoded form, so nothing is decoded back.
      length =
          StandardCharsets.UTF_8
              .newEncoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .encode(CharBuffer.wrap(name))
              .remaining();
    } catch (CharacterCodingException e) {
      throw ApiException.badRequest(what + " name is not valid Unicode");
    }
    checkLength(length, what, bytesMax);
    return name;
  }

  private static void checkLength(int length, String what, int bytesMax) {
    if (length == 0) {
      throw ApiException.badRequest(what + " name is empty");
    }
    if (length > bytesMax) {
      throw ApiException.badRequest(what + " name is " + length + " bytes, over " + bytesMax);
    }
  }

  private static String checkedName(byte[] bytes, int length, String what, int bytesMax) {
    checkLength(length, what, bytesMax);
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes, 0, length))
          .toString();
    } catch (CharacterCodingException e) {
      throw ApiException.badRequest(what + " name is not valid UTF-8");
    }
  }
}
