package dev.backchannel.crypto;

import dev.backchannel.api.error.AuthenticationFailedException;
import dev.backchannel.api.error.MalformedInputException;
import dev.backchannel.crypto.internal.Hkdf;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A peer's public identity: an Ed25519 public key, an X25519 public key, and the Ed25519
 * signature over the X25519 key that ties them together.
 *
 * <p>Encoding (128 bytes): {@code ed25519 (32) || x25519 (32) || signature (64)}, where the
 * signature covers {@code "Backchannel-v1 identity x25519" || x25519}. Instances are always
 * verified: {@link #parse} refuses a bad signature. Immutable and thread-safe.
 *
 * @since 0.1
 */
public final class IdentityPublicKey {
  /** Encoded length. */
  public static final int ENCODED_LENGTH = 128;

  static final byte[] X25519_SIGNATURE_LABEL = Hkdf.label("Backchannel-v1 identity x25519");
  private static final byte[] FINGERPRINT_LABEL = Hkdf.label("Backchannel-v1 fingerprint");

  private final byte[] ed25519;
  private final byte[] x25519;
  private final byte[] signature;
  private final byte[] fingerprint;

  IdentityPublicKey(byte[] ed25519, byte[] x25519, byte[] signature) {
    this.ed25519 = ed25519.clone();
    this.x25519 = x25519.clone();
    this.signature = signature.clone();
    this.fingerprint = computeFingerprint(this.ed25519, this.x25519);
  }

  /**
   * Parses and verifies an encoded identity.
   *
   * @throws MalformedInputException if it is not 128 bytes or the Ed25519 key is not a valid point
   * @throws AuthenticationFailedException if the signature over the X25519 key is invalid
   */
  public static IdentityPublicKey parse(byte[] encoded)
      throws MalformedInputException, AuthenticationFailedException {
    if (encoded == null || encoded.length != ENCODED_LENGTH) {
      throw new MalformedInputException("identity must be " + ENCODED_LENGTH + " bytes");
    }
    byte[] ed = Arrays.copyOfRange(encoded, 0, 32);
    byte[] x = Arrays.copyOfRange(encoded, 32, 64);
    byte[] sig = Arrays.copyOfRange(encoded, 64, 128);
    if (!Ed25519.isValidPublicKey(ed)) {
      throw new MalformedInputException("identity's Ed25519 key is not a valid point");
    }
    if (!Ed25519.verify(ed, concat(X25519_SIGNATURE_LABEL, x), sig)) {
      throw new AuthenticationFailedException("identity signature is invalid");
    }
    return new IdentityPublicKey(ed, x, sig);
  }

  /** The 128-byte encoding. */
  public byte[] encoded() {
    byte[] out = new byte[ENCODED_LENGTH];
    System.arraycopy(ed25519, 0, out, 0, 32);
    System.arraycopy(x25519, 0, out, 32, 32);
    System.arraycopy(signature, 0, out, 64, 64);
    return out;
  }

  /** The Ed25519 public key (a copy). */
  public byte[] ed25519() {
    return ed25519.clone();
  }

  /** The X25519 public key (a copy). */
  public byte[] x25519() {
    return x25519.clone();
  }

  /**
   * The identity fingerprint: {@code SHA-256("Backchannel-v1 fingerprint" || ed25519 || x25519)}
   * (a copy).
   */
  public byte[] fingerprint() {
    return fingerprint.clone();
  }

  /** Whether {@code fingerprint} is this identity's, compared in constant time. */
  public boolean hasFingerprint(byte[] fingerprint) {
    return fingerprint != null && MessageDigest.isEqual(this.fingerprint, fingerprint);
  }

  /** Verifies an Ed25519 signature by this identity. */
  public boolean verify(byte[] message, byte[] signature) {
    return Ed25519.verify(ed25519, message, signature);
  }

  static byte[] computeFingerprint(byte[] ed, byte[] x) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(FINGERPRINT_LABEL);
      sha.update(ed);
      sha.update(x);
      return sha.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every JDK", e);
    }
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IdentityPublicKey k
        && Arrays.equals(ed25519, k.ed25519)
        && Arrays.equals(x25519, k.x25519);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(fingerprint);
  }

  /** The first 8 bytes of the fingerprint in hex: public, but short, for logs of the owner. */
  @Override
  public String toString() {
    return "IdentityPublicKey[" + HexFormat.of().formatHex(fingerprint, 0, 8) + "…]";
  }
}
