package dev.backchannel.crypto;

import java.security.SecureRandom;

/**
 * Ed25519 signatures (RFC 8032, pure mode) on Bouncy Castle's implementation, for identity keys,
 * prekey signatures and the per-mailbox keys that sign relay commands.
 *
 * <p>Verification is strict: it refuses non-canonical encodings of R, S and the public key,
 * {@code S >= L} (malleated signatures), signatures of any length but 64 bytes and public keys
 * of any length but 32. Stateless and thread-safe.
 *
 * @since 0.1
 */
public final class Ed25519 {
  /** Public key length in bytes. */
  public static final int PUBLIC_KEY_LENGTH = 32;
  /** Private key (seed) length in bytes. */
  public static final int PRIVATE_KEY_LENGTH = 32;
  /** Signature length in bytes. */
  public static final int SIGNATURE_LENGTH = 64;

  private static final SecureRandom RANDOM = new SecureRandom();

  private Ed25519() {}

  /** A fresh private key. */
  public static SecretBytes generatePrivateKey() {
    byte[] sk = new byte[PRIVATE_KEY_LENGTH];
    org.bouncycastle.math.ec.rfc8032.Ed25519.generatePrivateKey(RANDOM, sk);
    return SecretBytes.wrap(sk, InsecureSecretAccess.get());
  }

  /** The public key of {@code privateKey}. */
  public static byte[] publicKey(SecretBytes privateKey) {
    byte[] sk = checkPrivate(privateKey);
    byte[] pk = new byte[PUBLIC_KEY_LENGTH];
    org.bouncycastle.math.ec.rfc8032.Ed25519.generatePublicKey(sk, 0, pk, 0);
    return pk;
  }

  /** Signs {@code message} with {@code privateKey}. */
  public static byte[] sign(SecretBytes privateKey, byte[] message) {
    byte[] sk = checkPrivate(privateKey);
    byte[] sig = new byte[SIGNATURE_LENGTH];
    org.bouncycastle.math.ec.rfc8032.Ed25519.sign(sk, 0, message, 0, message.length, sig, 0);
    return sig;
  }

  /** Whether {@code signature} is a valid signature of {@code message} by {@code publicKey}. */
  public static boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
    if (publicKey == null || publicKey.length != PUBLIC_KEY_LENGTH) {
      return false;
    }
    if (signature == null || signature.length != SIGNATURE_LENGTH || message == null) {
      return false;
    }
    return org.bouncycastle.math.ec.rfc8032.Ed25519.verify(
        signature, 0, publicKey, 0, message, 0, message.length);
  }

  /** Whether {@code publicKey} encodes a valid point (full check, including small order). */
  public static boolean isValidPublicKey(byte[] publicKey) {
    return publicKey != null
        && publicKey.length == PUBLIC_KEY_LENGTH
        && org.bouncycastle.math.ec.rfc8032.Ed25519.validatePublicKeyFull(publicKey, 0);
  }

  private static byte[] checkPrivate(SecretBytes privateKey) {
    if (privateKey.length() != PRIVATE_KEY_LENGTH) {
      throw new IllegalArgumentException("Ed25519 private key must be 32 bytes");
    }
    return privateKey.unsafeBytes(InsecureSecretAccess.get());
  }
}
