package dev.backchannel.crypto;

import dev.backchannel.api.SafetyNumber;
import dev.backchannel.crypto.internal.Hkdf;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;

/**
 * Computes the {@link SafetyNumber} of two identities, the same whichever side computes it.
 *
 * <p>With {@code lo, hi} the two fingerprints in unsigned lexicographic order:
 * {@code h = SHA-512("Backchannel-v1 safety number" || lo || hi)}; the digits are twelve groups of
 * five, group {@code i} being the big-endian integer of bytes {@code 5i..5i+4} of {@code h}
 * modulo 100000, zero-padded. The QR payload is {@code "bcsn1:" || base64url(lo || hi)}.
 * Stateless and thread-safe.
 *
 * @since 0.1
 */
public final class SafetyNumbers {
  private static final byte[] LABEL = Hkdf.label("Backchannel-v1 safety number");

  private SafetyNumbers() {}

  /** The safety number of {@code a} and {@code b}; symmetric in its arguments. */
  public static SafetyNumber of(IdentityPublicKey a, IdentityPublicKey b) {
    byte[] fa = a.fingerprint();
    byte[] fb = b.fingerprint();
    boolean aFirst = Arrays.compareUnsigned(fa, fb) <= 0;
    byte[] lo = aFirst ? fa : fb;
    byte[] hi = aFirst ? fb : fa;
    byte[] h;
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-512");
      sha.update(LABEL);
      sha.update(lo);
      sha.update(hi);
      h = sha.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-512 is required by every JDK", e);
    }
    StringBuilder digits = new StringBuilder(SafetyNumber.DIGITS);
    for (int i = 0; i < 12; i++) {
      long v = new BigInteger(1, Arrays.copyOfRange(h, 5 * i, 5 * i + 5)).longValue() % 100_000;
      digits.append(String.format("%05d", v));
    }
    byte[] both = Arrays.copyOf(lo, 64);
    System.arraycopy(hi, 0, both, 32, 32);
    return new SafetyNumber(
        digits.toString(), "bcsn1:" + Base64.getUrlEncoder().withoutPadding().encodeToString(both));
  }
}
