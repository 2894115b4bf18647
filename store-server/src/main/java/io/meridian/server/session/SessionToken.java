package io.meridian.server.session;

import io.meridian.clocks.VersionVector;
import java.util.Objects;
import java.util.Set;

/**
 * What a client session has written and read, as version vectors over regions (Terry et al., 1994).
 * A region serves a request only once its applied vector covers {@link #required}. The token is
 * carried by the client between requests and regions; it holds no secret and no region state.
 * Immutable; {@link #equals} is structural.
 */
public final class SessionToken {
  private static final SessionToken EMPTY =
      new SessionToken(VersionVector.empty(), VersionVector.empty());

  private final VersionVector writeVector;
  private final VersionVector readVector;

  private SessionToken(VersionVector writeVector, VersionVector readVector) {
    this.writeVector = Objects.requireNonNull(writeVector, "writeVector");
    this.readVector = Objects.requireNonNull(readVector, "readVector");
  }

  /** The token of a session that has done nothing yet. */
  public static SessionToken empty() {
    return EMPTY;
  }

  public static SessionToken of(VersionVector writeVector, VersionVector readVector) {
    return new SessionToken(writeVector, readVector);
  }

  /** Everything the session's writes depend on. */
  public VersionVector writeVector() {
    return writeVector;
  }

  /** Everything the session has read. */
  public VersionVector readVector() {
    return readVector;
  }

  /** This token after the session wrote an update whose causal past is {@code written}. */
  public SessionToken afterWrite(VersionVector written) {
    return new SessionToken(writeVector.merge(written), readVector);
  }

  /** This token after the session read a snapshot reflecting {@code read}. */
  public SessionToken afterRead(VersionVector read) {
    return new SessionToken(writeVector, readVector.merge(read));
  }

  /** The vector a region must have applied to serve a {@code kind} request under {@code chosen}. */
  public VersionVector required(Set<Guarantee> chosen, Guarantee.RequestKind kind) {
    VersionVector required = VersionVector.empty();
    for (Guarantee guarantee : chosen) {
      required = required.merge(guarantee.requiredBy(this, kind));
    }
    return required;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof SessionToken token
        && writeVector.equals(token.writeVector)
        && readVector.equals(token.readVector);
  }

  @Override
  public int hashCode() {
    return 31 * writeVector.hashCode() + readVector.hashCode();
  }

  @Override
  public String toString() {
    return "SessionToken{writes=" + writeVector + ", reads=" + readVector + "}";
  }
}
