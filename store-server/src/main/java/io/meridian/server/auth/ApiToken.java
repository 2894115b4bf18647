package io.meridian.server.auth;

import java.util.Arrays;
import java.util.Objects;

/**
 * One line of the token file: a name (for logs and metrics), the SHA-256 of the token's UTF-8
 * bytes, and its scopes. The token itself is never held.
 */
public final class ApiToken {
  private final String name;
  private final byte[] sha256;
  private final Grants grants;

  /**
   * @param name the token's name, 1 to 64 of {@code [A-Za-z0-9._-]}
   * @param sha256 the 32 bytes of the token's SHA-256
   * @param grants its scopes
   */
  public ApiToken(String name, byte[] sha256, Grants grants) {
    this.name = Objects.requireNonNull(name, "name");
    if (sha256.length != 32) {
      throw new IllegalArgumentException("a SHA-256 has 32 bytes, not " + sha256.length);
    }
    this.sha256 = sha256.clone();
    this.grants = Objects.requireNonNull(grants, "grants");
  }

  /** The token's name. */
  public String name() {
    return name;
  }

  /** A copy of the token's SHA-256. */
  public byte[] sha256() {
    return sha256.clone();
  }

  /** The token's scopes. */
  public Grants grants() {
    return grants;
  }

  /** Whether this token's hash is {@code hash}, compared in time independent of the bytes. */
  boolean hashEquals(byte[] hash) {
    return java.security.MessageDigest.isEqual(sha256, hash);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ApiToken token
        && name.equals(token.name)
        && Arrays.equals(sha256, token.sha256)
        && grants.equals(token.grants);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, Arrays.hashCode(sha256), grants);
  }

  @Override
  public String toString() {
    return "ApiToken[" + name + ", " + grants + "]";
  }
}
