package dev.backchannel.api;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The number two peers compare out of band (read aloud, or by scanning a QR code) to make sure
 * no one sits between them. Derived from both identities; identical on both sides.
 *
 * @param digits 60 decimal digits
 * @param qrPayload the text to put in a QR code: {@code bcsn1:} and base64url of both identity
 *     fingerprints in a canonical order
 * @since 0.1
 */
public record SafetyNumber(String digits, String qrPayload) {
  /** Number of digits. */
  public static final int DIGITS = 60;

  private static final Pattern DIGITS_PATTERN = Pattern.compile("[0-9]{60}");
  private static final Pattern QR_PATTERN = Pattern.compile("bcsn1:[A-Za-z0-9_-]{86}");

  /**
   * Validates both parts.
   *
   * @throws IllegalArgumentException if either is not in its format
   */
  public SafetyNumber {
    Objects.requireNonNull(digits, "digits");
    Objects.requireNonNull(qrPayload, "qrPayload");
    if (!DIGITS_PATTERN.matcher(digits).matches()) {
      throw new IllegalArgumentException("a safety number has exactly 60 digits");
    }
    if (!QR_PATTERN.matcher(qrPayload).matches()) {
      throw new IllegalArgumentException("safety number QR payload is malformed");
    }
  }

  /** The digits in twelve groups of five, separated by spaces, for display. */
  public String formatted() {
    StringBuilder b = new StringBuilder(DIGITS + 11);
    for (int i = 0; i < DIGITS; i += 5) {
      if (i > 0) {
        b.append(' ');
      }
      b.append(digits, i, i + 5);
    }
    return b.toString();
  }

  /**
   * Whether {@code scannedOrTyped} matches this number: either the 60 digits (spaces ignored) or
   * the exact QR payload.
   */
  public boolean matches(String scannedOrTyped) {
    if (scannedOrTyped == null) {
      return false;
    }
    String t = scannedOrTyped.strip();
    return t.equals(qrPayload) || t.replace(" ", "").equals(digits);
  }

  @Override
  public String toString() {
    return formatted();
  }
}
