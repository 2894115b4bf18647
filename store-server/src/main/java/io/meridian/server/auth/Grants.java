package io.meridian.server.auth;

import java.util.List;

/**
 * The scopes of one token: bucket name patterns it may read, patterns it may write (write includes
 * read), and whether it is an administrator. A pattern is a bucket name, or a prefix followed by
 * {@code *} ({@code *} alone: every bucket); names are compared as the decoded strings the API
 * serves, code unit for code unit. Immutable; {@link #equals} is structural.
 *
 * @param readPatterns patterns of {@code read:} scopes
 * @param writePatterns patterns of {@code write:} scopes
 * @param admin whether the token has the {@code admin} scope
 */
public record Grants(List<String> readPatterns, List<String> writePatterns, boolean admin) {
  public Grants {
    readPatterns = List.copyOf(readPatterns);
    writePatterns = List.copyOf(writePatterns);
  }

  /** Whether a request doing {@code access} to {@code bucket} is allowed (ignored for admin). */
  public boolean allows(Access access, String bucket) {
    return switch (access) {
      case ADMIN -> admin;
      case WRITE -> anyMatches(writePatterns, bucket);
      case READ -> anyMatches(writePatterns, bucket) || anyMatches(readPatterns, bucket);
    };
  }

  /** Whether {@code access} is allowed to every bucket ({@code *}), so no name need be checked. */
  public boolean allowsEveryBucket(Access access) {
    return switch (access) {
      case ADMIN -> admin;
      case WRITE -> writePatterns.contains("*");
      case READ -> writePatterns.contains("*") || readPatterns.contains("*");
    };
  }

  private static boolean anyMatches(List<String> patterns, String bucket) {
    for (String pattern : patterns) {
      if (matches(pattern, bucket)) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code bucket} is named by {@code pattern}: equal, or a {@code prefix*} match. */
  static boolean matches(String pattern, String bucket) {
    if (pattern.endsWith("*")) {
      return bucket.startsWith(pattern.substring(0, pattern.length() - 1));
    }
    return pattern.equals(bucket);
  }
}
