package io.meridian.clocks;

/**
 * Rules for replica identifiers. A replica (a region) is named by a short string that is the same
 * everywhere: in version vectors, dots, certificates and the command line. Names, not indexes,
 * because a region need not know every other region (updates are forwarded), so no global numbering
 * exists.
 */
public final class ReplicaIds {
  /** Longest replica name, in characters (all ASCII). */
  public static final int NAME_LENGTH_MAX = 64;

  private static final byte NOT_ALLOWED = 0;
  private static final byte ALPHANUMERIC = 1;
  private static final byte PUNCTUATION = 2;

  /** For each ASCII character, whether a name may hold it, and where. */
  private static final byte[] ALLOWED = new byte[128];

  static {
    for (char c = 'a'; c <= 'z'; c++) {
      ALLOWED[c] = ALPHANUMERIC;
    }
    for (char c = '0'; c <= '9'; c++) {
      ALLOWED[c] = ALPHANUMERIC;
    }
    ALLOWED['.'] = PUNCTUATION;
    ALLOWED['_'] = PUNCTUATION;
    ALLOWED['-'] = PUNCTUATION;
  }

  private ReplicaIds() {}

  /** True when {@code name} is 1 to 64 characters of {@code [a-z0-9._-]}, starting alphanumeric. */
  public static boolean isValid(String name) {
    if (name == null || name.isEmpty() || name.length() > NAME_LENGTH_MAX) {
      return false;
    }
    char first = name.charAt(0);
    if (first >= ALLOWED.length || ALLOWED[first] != ALPHANUMERIC) {
      return false;
    }
    for (int i = 1; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c >= ALLOWED.length || ALLOWED[c] == NOT_ALLOWED) {
        return false;
      }
    }
    return true;
  }

  /** Returns {@code name} or throws {@link IllegalArgumentException} when it is not valid. */
  public static String require(String name) {
    if (!isValid(name)) {
      throw new IllegalArgumentException(
          "invalid replica name (1 to 64 of [a-z0-9._-], starting alphanumeric): " + name);
    }
    return name;
  }
}
