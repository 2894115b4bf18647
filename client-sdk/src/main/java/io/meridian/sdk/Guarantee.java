package io.meridian.sdk;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * A session guarantee (Terry et al., "Session guarantees for weakly consistent replicated data",
 * 1994), over the whole store. A region serves a request of the client only once it has applied
 * everything the client's session token requires for the chosen guarantees; the SDK moves to
 * another region rather than accept a read that would break one.
 */
public enum Guarantee {
  /** A read reflects every update this client made before it. */
  READ_YOUR_WRITES("RYW"),
  /** A read reflects at least what every earlier read of this client reflected. */
  MONOTONIC_READS("MR"),
  /** An update is applied everywhere after every earlier update of this client. */
  MONOTONIC_WRITES("MW"),
  /** An update is applied everywhere after everything this client had read before it. */
  WRITES_FOLLOW_READS("WFR");

  private final String wireName;

  Guarantee(String wireName) {
    this.wireName = wireName;
  }

  /**
   * All four guarantees: causal consistency for the session. The default.
   *
   * @return the four guarantees
   */
  public static Set<Guarantee> causal() {
    return Collections.unmodifiableSet(EnumSet.allOf(Guarantee.class));
  }

  /** The {@code Meridian-Guarantees} header value of {@code chosen}. */
  static String header(Set<Guarantee> chosen) {
    if (chosen.isEmpty()) {
      return "none";
    }
    if (chosen.size() == values().length) {
      return "causal";
    }
    StringBuilder header = new StringBuilder();
    for (Guarantee guarantee : EnumSet.copyOf(chosen)) {
      if (header.length() > 0) {
        header.append(',');
      }
      header.append(guarantee.wireName);
    }
    return header.toString();
  }
}
