package io.meridian.server.session;

import io.meridian.clocks.DecodeException;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Parsing of the session request headers, exactly as API "Sessions" defines them. Every method
 * throws {@link DecodeException} for a value the API does not allow; the HTTP layer answers it with
 * {@code bad_request}.
 */
public final class SessionHeaders {
  public static final String SESSION = "Meridian-Session";
  public static final String GUARANTEES = "Meridian-Guarantees";
  public static final String WAIT = "Meridian-Wait";

  /** The wait when none is asked for. */
  public static final long WAIT_MILLIS_DEFAULT = 1_000;

  /** The longest wait a request may ask for. */
  public static final long WAIT_MILLIS_MAX = 60_000;

  private static final Set<Guarantee> ALL =
      Collections.unmodifiableSet(EnumSet.allOf(Guarantee.class));

  private SessionHeaders() {}

  /**
   * The guarantees of {@code value}: case-insensitive, a comma-separated subset of {@code RYW},
   * {@code MR}, {@code MW}, {@code WFR} (each at most once, spaces around items allowed), or {@code
   * causal} alone (all four), or {@code none} alone. When the header is absent ({@code value} null)
   * the default is {@code causal} if the request sent a token, else {@code none}.
   */
  public static Set<Guarantee> parseGuarantees(String value, boolean tokenSent) {
    if (value == null) {
      return tokenSent ? ALL : Set.of();
    }
    String[] items = value.split(",", -1);
    if (items.length == 1) {
      String only = items[0].strip().toLowerCase(Locale.ROOT);
      if (only.equals("causal")) {
        return ALL;
      }
      if (only.equals("none")) {
        return Set.of();
      }
    }
    EnumSet<Guarantee> chosen = EnumSet.noneOf(Guarantee.class);
    for (String item : items) {
      Guarantee guarantee = guaranteeNamed(item.strip());
      if (!chosen.add(guarantee)) {
        throw new DecodeException(GUARANTEES + " names " + guarantee + " twice");
      }
    }
    return Collections.unmodifiableSet(chosen);
  }

  private static Guarantee guaranteeNamed(String item) {
    switch (item.toUpperCase(Locale.ROOT)) {
      case "RYW":
        return Guarantee.RYW;
      case "MR":
        return Guarantee.MR;
      case "MW":
        return Guarantee.MW;
      case "WFR":
        return Guarantee.WFR;
      default:
        throw new DecodeException(
            GUARANTEES
                + " must be a comma-separated subset of RYW, MR, MW, WFR, or causal, or none; got "
                + abbreviate(item));
    }
  }

  /**
   * The wait of {@code value} in milliseconds: a decimal integer from 0 to 60,000, {@link
   * #WAIT_MILLIS_DEFAULT} when absent.
   */
  public static long parseWaitMillis(String value) {
    if (value == null) {
      return WAIT_MILLIS_DEFAULT;
    }
    String digits = value.strip();
    if (digits.isEmpty()
        || digits.length() > 10
        || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new DecodeException(
          WAIT
              + " must be an integer number of milliseconds from 0 to 60000; got "
              + abbreviate(value));
    }
    long millis = Long.parseLong(digits);
    if (millis > WAIT_MILLIS_MAX) {
      throw new DecodeException(WAIT + " must be at most " + WAIT_MILLIS_MAX + "; got " + millis);
    }
    return millis;
  }

  private static String abbreviate(String text) {
    return text.length() <= 40 ? "\"" + text + "\"" : "\"" + text.substring(0, 40) + "...\"";
  }
}
