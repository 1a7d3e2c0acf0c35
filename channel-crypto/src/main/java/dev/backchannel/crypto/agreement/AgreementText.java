package dev.backchannel.crypto.agreement;

import dev.backchannel.api.error.MalformedInputException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The agreement text's canonical form and hash. The text is well-formed UTF-8 of 1 to {@link
 * #MAX_BYTES} bytes; each CR LF pair becomes LF; a CR not followed by LF is refused (so that no
 * single changed byte can give the same canonical text); nothing else is changed (no Unicode
 * normalization, no trimming). The hash is plain SHA-256 of the canonical bytes, so {@code
 * sha256sum} of an LF-terminated file gives the same value.
 *
 * <p>Stateless and thread-safe.
 *
 * @since 0.2
 */
public final class AgreementText {
  /** The largest text, in bytes, before normalization. */
  public static final int MAX_BYTES = 1 << 20;

  private AgreementText() {}

  /**
   * The canonical form of UTF-8 {@code text}.
   *
   * @throws MalformedInputException if it is empty, longer than {@link #MAX_BYTES}, not
   *     well-formed UTF-8, or holds a CR not followed by LF
   */
  public static byte[] canonical(byte[] text) throws MalformedInputException {
    if (text == null || text.length == 0 || text.length > MAX_BYTES) {
      throw new MalformedInputException("text must be 1.." + MAX_BYTES + " bytes");
    }
    DisplayText.strictUtf8("text", text);
    ByteArrayOutputStream out = new ByteArrayOutputStream(text.length);
    for (int i = 0; i < text.length; i++) {
      if (text[i] == '\r') {
        if (i + 1 < text.length && text[i + 1] == '\n') {
          continue;
        }
        throw new MalformedInputException(
            "text has a carriage return not followed by a line feed at byte " + i);
      }
      out.write(text[i]);
    }
    return out.toByteArray();
  }

  /**
   * The canonical form of {@code text}.
   *
   * @throws MalformedInputException as {@link #canonical(byte[])}, or if {@code text} has an
   *     unpaired surrogate
   */
  public static byte[] canonical(String text) throws MalformedInputException {
    if (text == null) {
      throw new MalformedInputException("text is missing");
    }
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    if (!new String(utf8, StandardCharsets.UTF_8).equals(text)) {
      throw new MalformedInputException("text has an unpaired surrogate");
    }
    return canonical(utf8);
  }

  /** Whether {@code text} is already canonical (well-formed, no CR at all). */
  static boolean isCanonical(byte[] text) {
    try {
      byte[] c = canonical(text);
      return c.length == text.length;
    } catch (MalformedInputException e) {
      return false;
    }
  }

  /**
   * SHA-256 of the canonical form of {@code text}.
   *
   * @throws MalformedInputException as {@link #canonical(byte[])}
   */
  public static ByteValue sha256(byte[] text) throws MalformedInputException {
    return ByteValue.copyOf(Sha256.of(canonical(text)));
  }
}
