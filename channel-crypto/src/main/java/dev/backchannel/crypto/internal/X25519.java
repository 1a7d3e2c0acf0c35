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

  /**
   * The encodings (top bit masked) of every public key of small order: 0, 1, the two points of
   * order 8, p−1, and the non-canonical p and p+1. Agreement with any of them gives all zeros for
   * every clamped scalar; no other 255-bit value does.
   */
  private static final byte[][] SMALL_ORDER = {
    java.util.HexFormat.of().parseHex("0000000000000000000000000000000000000000000000000000000000000000"),
    java.util.HexFormat.of().parseHex("0100000000000000000000000000000000000000000000000000000000000000"),
    java.util.HexFormat.of().parseHex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"),
    java.util.HexFormat.of().parseHex("5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157"),
    java.util.HexFormat.of().parseHex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
    java.util.HexFormat.of().parseHex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
    java.util.HexFormat.of().parseHex("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
  };

  /**
   * Whether {@code publicKey} has small order, so that any agreement with it is all zeros;
   * without a scalar multiplication and in time independent of the key.
   *
   * @throws MalformedInputException if it is not 32 bytes
   */
  public static boolean isSmallOrder(byte[] publicKey) throws MalformedInputException {
    if (publicKey == null || publicKey.length != KEY_LENGTH) {
      throw new MalformedInputException("X25519 public key must be 32 bytes");
    }
    byte[] masked = publicKey.clone();
    masked[31] &= 0x7f;
    boolean found = false;
    for (byte[] candidate : SMALL_ORDER) {
      found |= java.security.MessageDigest.isEqual(candidate, masked);
    }
    return found;
  }

  private static void checkLength(byte[] privateKey) {
    if (privateKey == null || privateKey.length != KEY_LENGTH) {
      throw new IllegalArgumentException("X25519 private key must be 32 bytes");
    }
  }
}
