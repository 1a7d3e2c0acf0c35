package dev.backchannel.crypto.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * HKDF-SHA256 (RFC 5869) on {@link Hmac}. An empty or null salt means 32 zero bytes, as the RFC
 * says. Asking for more than 255 * 32 bytes throws {@link IllegalArgumentException}.
 */
public final class Hkdf {
  /** The largest output HKDF-SHA256 can give. */
  public static final int MAX_OUTPUT = 255 * Hmac.LENGTH;

  private Hkdf() {}

  /** HKDF-Extract: the pseudorandom key from {@code salt} and {@code ikm}. */
  public static byte[] extract(byte[] salt, byte[] ikm) {
    byte[] s = (salt == null || salt.length == 0) ? new byte[Hmac.LENGTH] : salt;
    return Hmac.mac(s, ikm);
  }

  /** HKDF-Expand: {@code length} bytes from {@code prk} and {@code info}. */
  public static byte[] expand(byte[] prk, byte[] info, int length) {
    if (length < 0 || length > MAX_OUTPUT) {
      throw new IllegalArgumentException(
          "HKDF-SHA256 output must be 0.." + MAX_OUTPUT + " bytes, asked " + length);
    }
    byte[] out = new byte[length];
    byte[] t = new byte[0];
    int pos = 0;
    for (int i = 1; pos < length; i++) {
      byte[] next = Hmac.mac(prk, t, info == null ? new byte[0] : info, new byte[] {(byte) i});
      Arrays.fill(t, (byte) 0);
      t = next;
      int n = Math.min(t.length, length - pos);
      System.arraycopy(t, 0, out, pos, n);
      pos += n;
    }
    Arrays.fill(t, (byte) 0);
    return out;
  }

  /** Extract then expand. */
  public static byte[] derive(byte[] salt, byte[] ikm, byte[] info, int length) {
    if (length < 0 || length > MAX_OUTPUT) {
      throw new IllegalArgumentException(
          "HKDF-SHA256 output must be 0.." + MAX_OUTPUT + " bytes, asked " + length);
    }
    byte[] prk = extract(salt, ikm);
    try {
      return expand(prk, info, length);
    } finally {
      Arrays.fill(prk, (byte) 0);
    }
  }

  /**
   * {@code derive(null, ikm, info, 32)}, faster: the zero salt's key schedule is computed once per
   * thread, and the single expand block needs no chaining.
   */
  public static byte[] deriveZeroSalt32(byte[] ikm, byte[] info) {
    byte[] prk = Hmac.macUnderZeroKey(ikm);
    try {
      return Hmac.mac(prk, info == null ? new byte[0] : info, new byte[] {1});
    } finally {
      Arrays.fill(prk, (byte) 0);
    }
  }

  /** The UTF-8 bytes of a KDF label such as {@code "Backchannel-v1 ratchet root"}. */
  public static byte[] label(String label) {
    return label.getBytes(StandardCharsets.UTF_8);
  }
}
