package dev.backchannel.crypto.internal;

import dev.backchannel.api.error.AuthenticationFailedException;
import dev.backchannel.api.error.MalformedInputException;
import java.security.SecureRandom;

/**
 * X25519 (RFC 7748) on Bouncy Castle's constant-time implementation.
 *
 * <p>Policy for odd public keys (Wycheproof flags): an agreement whose result is all zeros
 * ({@code LowOrderPublic}, {@code ZeroSharedSecret}) is refused with
 * {@link AuthenticationFailedException}; every other 32-byte input, including non-canonical
 * u-coordinates and points on the twist, is accepted as RFC 7748 says (the top bit is masked)
 * and gives exactly the RFC's result.
 */
public final class X25519 {
  /** Key and shared-secret length in bytes. */
  public static final int KEY_LENGTH = 32;

  private static final SecureRandom RANDOM = new SecureRandom();

  private X25519() {}

  /** A fresh private scalar (clamped as RFC 7748 says). */
  public static byte[] generatePrivateKey() {
    byte[] k = new byte[KEY_LENGTH];
    org.bouncycastle.math.ec.rfc7748.X25519.generatePrivateKey(RANDOM, k);
    return k;
  }

  /** The public u-coordinate for {@code privateKey}. */
  public static byte[] publicKey(byte[] privateKey) {
    checkLength(privateKey);
    byte[] pub = new byte[KEY_LENGTH];
    org.bouncycastle.math.ec.rfc7748.X25519.generatePublicKey(privateKey, 0, pub, 0);
    return pub;
  }

  /**
   * The shared secret of {@code privateKey} and {@code peerPublic}.
   *
   * @throws MalformedInputException if {@code peerPublic} is not 32 bytes
   * @throws AuthenticationFailedException if the result is all zeros (a low-order point)
   */
  public static byte[] agree(byte[] privateKey, byte[] peerPublic)
      throws MalformedInputException, AuthenticationFailedException {
    checkLength(privateKey);
    if (peerPublic == null || peerPublic.length != KEY_LENGTH) {
      throw new MalformedInputException(
          "X25519 public key must be 32 bytes, got "
              + (peerPublic == null ? "null" : peerPublic.length));
    }
    byte[] shared = new byte[KEY_LENGTH];
    boolean ok =
        org.bouncycastle.math.ec.rfc7748.X25519.calculateAgreement(
            privateKey, 0, peerPublic, 0, shared, 0);
    if (!ok) {
      throw new AuthenticationFailedException("key agreement rejected");
    }
    return shared;
  }

  private static void checkLength(byte[] privateKey) {
    if (privateKey == null || privateKey.length != KEY_LENGTH) {
      throw new IllegalArgumentException("X25519 private key must be 32 bytes");
    }
  }
}
