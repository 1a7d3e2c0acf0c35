package dev.backchannel.crypto.agreement;

import dev.backchannel.api.error.MalformedInputException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The rules for short texts shown to people (a title, a party's label): well-formed UTF-8 of a
 * bounded length, with no control characters and no bidirectional-override characters, so that
 * what a terminal shows is what was signed.
 */
final class DisplayText {
  private DisplayText() {}

  /**
   * The UTF-8 bytes of {@code text}.
   *
   * @throws IllegalArgumentException if {@code text} breaks a rule ({@code what} names it)
   */
  static byte[] encode(String what, String text, int maxBytes) {
    if (text == null) {
      throw new IllegalArgumentException(what + " is missing");
    }
    String problem = problem(text);
    if (problem != null) {
      throw new IllegalArgumentException(what + " " + problem);
    }
    ByteBuffer encoded;
    try {
      encoded = StandardCharsets.UTF_8.newEncoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .encode(CharBuffer.wrap(text));
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(what + " has an unpaired surrogate");
    }
    byte[] b = new byte[encoded.remaining()];
    encoded.get(b);
    if (b.length < 1 || b.length > maxBytes) {
      throw new IllegalArgumentException(
          what + " must be 1.." + maxBytes + " UTF-8 bytes, is " + b.length);
    }
    return b;
  }

  /**
   * Decodes {@code bytes} strictly.
   *
   * @throws MalformedInputException if they are not well-formed UTF-8 or break a rule
   */
  static String decode(String what, byte[] bytes, int maxBytes) throws MalformedInputException {
    if (bytes.length < 1 || bytes.length > maxBytes) {
      throw new MalformedInputException(what + " must be 1.." + maxBytes + " bytes");
    }
    String s = strictUtf8(what, bytes);
    String problem = problem(s);
    if (problem != null) {
      throw new MalformedInputException(what + " " + problem);
    }
    return s;
  }

  /** Decodes well-formed UTF-8, refusing malformed or overlong sequences and surrogates. */
  static String strictUtf8(String what, byte[] bytes) throws MalformedInputException {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new MalformedInputException(what + " is not well-formed UTF-8");
    }
  }

  private static String problem(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isISOControl(c)) {
        return "contains a control character";
      }
      if (isBidiControl(c)) {
        return "contains a bidirectional formatting character";
      }
    }
    return null;
  }

  private static boolean isBidiControl(char c) {
    return c == '\u061c' || c == '\u200e' || c == '\u200f'
        || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069');
  }
}
