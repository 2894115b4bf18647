package io.meridian.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The token file (API "Authentication"): one token a line, {@code NAME SHA256 SCOPES}, {@code #}
 * starts a comment. {@code SHA256} is the lowercase hex SHA-256 of the token's UTF-8 bytes; {@code
 * SCOPES} a comma-separated list of {@code read:PATTERN}, {@code write:PATTERN} and {@code admin}.
 * Parsing is strict: any bad line fails the whole file, naming the line.
 */
public final class TokenFile {
  /** The largest token file read: a bound on what a reload costs. */
  public static final int FILE_BYTES_MAX = 1 << 20;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private TokenFile() {}

  /**
   * The tokens of a file's text.
   *
   * @throws IllegalArgumentException naming the first bad line: a malformed name, hash or scope, a
   *     name or hash given twice, a bucket pattern that is empty, longer than 256 bytes or with a
   *     {@code *} elsewhere than at its end
   */
  public static List<ApiToken> parse(String text) {
    List<ApiToken> tokens = new ArrayList<>();
    Set<String> names = new HashSet<>();
    Set<String> hashes = new HashSet<>();
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      int hash = line.indexOf('#');
      if (hash >= 0) {
        line = line.substring(0, hash);
      }
      line = line.strip();
      if (line.isEmpty()) {
        continue;
      }
      int number = i + 1;
      String[] fields = line.split("[ \t]+");
      if (fields.length != 3) {
        throw bad(number, "expected NAME SHA256 SCOPES, found " + fields.length + " fields");
      }
      if (!NAME.matcher(fields[0]).matches()) {
        throw bad(number, "a name is 1 to 64 of [A-Za-z0-9._-], starting alphanumeric");
      }
      if (!HASH.matcher(fields[1]).matches()) {
        throw bad(number, "the hash must be 64 lowercase hex digits (SHA-256)");
      }
      if (!names.add(fields[0])) {
        throw bad(number, "the name " + fields[0] + " appears twice");
      }
      if (!hashes.add(fields[1])) {
        throw bad(number, "the hash of " + fields[0] + " appears twice");
      }
      tokens.add(
          new ApiToken(fields[0], HexFormat.of().parseHex(fields[1]), scopes(number, fields[2])));
    }
    return List.copyOf(tokens);
  }

  private static Grants scopes(int number, String text) {
    List<String> read = new ArrayList<>();
    List<String> write = new ArrayList<>();
    boolean admin = false;
    for (String scope : text.split(",", -1)) {
      if (scope.equals("admin")) {
        admin = true;
      } else if (scope.startsWith("read:")) {
        read.add(pattern(number, scope.substring("read:".length())));
      } else if (scope.startsWith("write:")) {
        write.add(pattern(number, scope.substring("write:".length())));
      } else {
        throw bad(number, "unknown scope '" + scope + "' (read:PATTERN, write:PATTERN or admin)");
      }
    }
    return new Grants(read, write, admin);
  }

  private static String pattern(int number, String pattern) {
    int star = pattern.indexOf('*');
    if (star >= 0 && star != pattern.length() - 1) {
      throw bad(number, "a pattern may end with *, nowhere else: '" + pattern + "'");
    }
    int bytes = pattern.getBytes(StandardCharsets.UTF_8).length;
    if (bytes == 0 || bytes > 257) {
      throw bad(number, "a pattern is a bucket name of 1 to 256 bytes, or a prefix and *");
    }
    return pattern;
  }

  private static IllegalArgumentException bad(int line, String message) {
    return new IllegalArgumentException("line " + line + ": " + message);
  }

  /** The lowercase hex SHA-256 of {@code token}'s UTF-8 bytes, as the file holds it. */
  public static String sha256Hex(String token) {
    return HexFormat.of().formatHex(sha256(token));
  }

  /** The SHA-256 of {@code token}'s UTF-8 bytes. */
  static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /** A new random token: 32 bytes from {@link SecureRandom}, unpadded base64url (43 characters). */
  public static String newToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** One line of a token file for {@code token}: its name, its hash and its scopes. */
  public static String line(String name, String token, String scopes) {
    return name + " " + sha256Hex(token) + " " + scopes + "\n";
  }
}
