package io.meridian.crdt;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * A set element: a boolean, a number or a string. Numbers are kept in canonical form (a {@link
 * BigDecimal} stripped of trailing zeros), so 1 and 1.0 are one element. Elements order as the
 * API's canonical order: booleans (false, true), then numbers by value, then strings by code point.
 */
public final class Element implements Comparable<Element> {
  /** The three kinds, in canonical order. */
  public enum Kind {
    BOOLEAN,
    NUMBER,
    STRING
  }

  private final Kind kind;
  private final boolean booleanValue;
  private final BigDecimal numberValue;
  private final String stringValue;

  private Element(Kind kind, boolean booleanValue, BigDecimal numberValue, String stringValue) {
    this.kind = kind;
    this.booleanValue = booleanValue;
    this.numberValue = numberValue;
    this.stringValue = stringValue;
  }

  public static Element of(boolean value) {
    return new Element(Kind.BOOLEAN, value, null, null);
  }

  public static Element of(BigDecimal value) {
    BigDecimal canonical = value.signum() == 0 ? BigDecimal.ZERO : value.stripTrailingZeros();
    return new Element(Kind.NUMBER, false, canonical, null);
  }

  public static Element of(String value) {
    return new Element(Kind.STRING, false, null, Objects.requireNonNull(value));
  }

  public Kind kind() {
    return kind;
  }

  public boolean booleanValue() {
    return booleanValue;
  }

  public BigDecimal numberValue() {
    return numberValue;
  }

  public String stringValue() {
    return stringValue;
  }

  @Override
  public int compareTo(Element other) {
    if (kind != other.kind) {
      return kind.compareTo(other.kind);
    }
    return switch (kind) {
      case BOOLEAN -> Boolean.compare(booleanValue, other.booleanValue);
      case NUMBER -> numberValue.compareTo(other.numberValue);
      case STRING -> compareCodePoints(stringValue, other.stringValue);
    };
  }

  private static int compareCodePoints(String left, String right) {
    int i = 0;
    int j = 0;
    while (i < left.length() && j < right.length()) {
      int a = left.codePointAt(i);
      int b = right.codePointAt(j);
      if (a != b) {
        return Integer.compare(a, b);
      }
      i += Character.charCount(a);
      j += Character.charCount(b);
    }
    return Integer.compare(left.length() - i, right.length() - j);
  }

  /** Structural: same kind and same (canonical) value. */
  @Override
  public boolean equals(Object other) {
    return other instanceof Element element && compareTo(element) == 0;
  }

  @Override
  public int hashCode() {
    return switch (kind) {
      case BOOLEAN -> Boolean.hashCode(booleanValue);
      case NUMBER -> numberValue.hashCode();
      case STRING -> stringValue.hashCode();
    };
  }

  @Override
  public String toString() {
    return switch (kind) {
      case BOOLEAN -> Boolean.toString(booleanValue);
      case NUMBER -> numberValue.toPlainString();
      case STRING -> '"' + stringValue + '"';
    };
  }
}
