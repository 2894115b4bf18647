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

  private ReplicaIds() {}

  /** True when {@code name} is 1 to 64 characters of {@code [a-z0-9._-]}, starting alphanumeric. */
  public static boolean isValid(String name) {
    if (name == null || name.isEmpty() || name.length() > NAME_LENGTH_MAX) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean alphanumeric = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
      boolean punctuation = c == '.' || c == '_' || c == '-';
      if (!alphanumeric && !(punctuation && i > 0)) {
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
