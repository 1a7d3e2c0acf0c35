package dev.backchannel.crypto.internal;

import dev.backchannel.api.error.MalformedInputException;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.SecretWithEncapsulation;
import org.bouncycastle.crypto.generators.MLKEMKeyPairGenerator;
import org.bouncycastle.crypto.kems.MLKEMExtractor;
import org.bouncycastle.crypto.kems.MLKEMGenerator;
import org.bouncycastle.crypto.params.MLKEMKeyGenerationParameters;
import org.bouncycastle.crypto.params.MLKEMParameters;
import org.bouncycastle.crypto.params.MLKEMPrivateKeyParameters;
import org.bouncycastle.crypto.params.MLKEMPublicKeyParameters;

/**
 * ML-KEM-768 (FIPS 203) on Bouncy Castle. Private keys are kept as their 64-byte seed
 * {@code d || z}. Encapsulation keys are checked (length and the FIPS 203 modulus check) before
 * any use; decapsulation of a well-formed but wrong ciphertext returns the implicit-rejection
 * secret, never an error.
 */
public final class MlKem768 {
  /** Encapsulation (public) key length. */
  public static final int PUBLIC_KEY_LENGTH = 1184;
  /** Expanded decapsulation key length. */
  public static final int EXPANDED_PRIVATE_KEY_LENGTH = 2400;
  /** Seed length {@code d || z}. */
  public static final int SEED_LENGTH = 64;
  /** Ciphertext length. */
  public static final int CIPHERTEXT_LENGTH = 1088;
  /** Shared secret length. */
  public static final int SHARED_SECRET_LENGTH = 32;

  private static final MLKEMParameters PARAMS = MLKEMParameters.ml_kem_768;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int Q = 3329;

  private MlKem768() {}

  /** A fresh 64-byte private seed. */
  public static byte[] generateSeed() {
    byte[] seed = new byte[SEED_LENGTH];
    RANDOM.nextBytes(seed);
    return seed;
  }

  /** The encapsulation key for {@code seed}. */
  public static byte[] publicKey(byte[] seed) {
    return privateParams(seed).getPublicKey();
  }

  /** The expanded 2400-byte decapsulation key for {@code seed} (FIPS 203 encoding). */
  public static byte[] expandedPrivateKey(byte[] seed) {
    return privateParams(seed).withPreferredFormat(MLKEMPrivateKeyParameters.EXPANDED_KEY)
        .getEncoded();
  }

  /** Result of an encapsulation: the ciphertext and the shared secret (caller clears it). */
  public record Encapsulation(byte[] ciphertext, byte[] sharedSecret) {}

  /**
   * Encapsulates to {@code publicKey} with fresh randomness.
   *
   * @throws MalformedInputException if the key has the wrong length or fails the modulus check
   */
  public static Encapsulation encapsulate(byte[] publicKey) throws MalformedInputException {
    byte[] m = new byte[32];
    RANDOM.nextBytes(m);
    try {
      return encapsulate(publicKey, m);
    } finally {
      Arrays.fill(m, (byte) 0);
    }
  }

  /**
   * Deterministic encapsulation from the 32-byte randomness {@code m} (FIPS 203
   * ML-KEM.Encaps_internal); for known-answer tests.
   */
  public static Encapsulation encapsulate(byte[] publicKey, byte[] m)
      throws MalformedInputException {
    MLKEMPublicKeyParameters pub = checkedPublicKey(publicKey);
    SecretWithEncapsulation s = MLKEMGenerator.internalGenerateEncapsulated(pub, m);
    return new Encapsulation(s.getEncapsulation(), s.getSecret());
  }

  /**
   * Decapsulates {@code ciphertext} with the private key given by {@code seed}.
   *
   * @throws MalformedInputException if the ciphertext or seed has the wrong length
   */
  public static byte[] decapsulate(byte[] seed, byte[] ciphertext) throws MalformedInputException {
    if (ciphertext == null || ciphertext.length != CIPHERTEXT_LENGTH) {
      throw new MalformedInputException(
          "ML-KEM-768 ciphertext must be " + CIPHERTEXT_LENGTH + " bytes, got "
              + (ciphertext == null ? "null" : ciphertext.length));
    }
    if (seed == null || seed.length != SEED_LENGTH) {
      throw new MalformedInputException("ML-KEM-768 private seed must be " + SEED_LENGTH + " bytes");
    }
    return new MLKEMExtractor(privateParams(seed)).extractSecret(ciphertext);
  }

  /**
   * Decapsulates with an expanded 2400-byte decapsulation key {@code dk = dk_pke (1152) || ek
   * (1184) || H(ek) (32) || z (32)}, after the FIPS 203 section 7.3 input checks: exact lengths,
   * {@code H(ek)} (SHA3-256) equal to the embedded hash, and {@code ek} reduced modulo q.
   *
   * @throws MalformedInputException if any check fails
   */
  public static byte[] decapsulateExpanded(byte[] dk, byte[] ciphertext)
      throws MalformedInputException {
    if (dk == null || dk.length != EXPANDED_PRIVATE_KEY_LENGTH) {
      throw new MalformedInputException(
          "ML-KEM-768 decapsulation key must be " + EXPANDED_PRIVATE_KEY_LENGTH + " bytes");
    }
    if (ciphertext == null || ciphertext.length != CIPHERTEXT_LENGTH) {
      throw new MalformedInputException(
          "ML-KEM-768 ciphertext must be " + CIPHERTEXT_LENGTH + " bytes");
    }
    int ekStart = 1152;
    byte[] ek = Arrays.copyOfRange(dk, ekStart, ekStart + PUBLIC_KEY_LENGTH);
    byte[] embeddedHash = Arrays.copyOfRange(dk, ekStart + PUBLIC_KEY_LENGTH, ekStart + PUBLIC_KEY_LENGTH + 32);
    checkedPublicKey(ek);
    byte[] hash;
    try {
      hash = java.security.MessageDigest.getInstance("SHA3-256").digest(ek);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA3-256 is required by every JDK since 9", e);
    }
    if (!java.security.MessageDigest.isEqual(hash, embeddedHash)) {
      throw new MalformedInputException("ML-KEM-768 decapsulation key's hash check failed");
    }
    return new MLKEMExtractor(new MLKEMPrivateKeyParameters(PARAMS, dk)).extractSecret(ciphertext);
  }

  /** A key pair generated by Bouncy Castle's generator (for tests comparing generators). */
  static AsymmetricCipherKeyPair generateWithBouncyCastle() {
    MLKEMKeyPairGenerator gen = new MLKEMKeyPairGenerator();
    gen.init(new MLKEMKeyGenerationParameters(RANDOM, PARAMS));
    return gen.generateKeyPair();
  }

  /**
   * Parses and validates an encapsulation key: exact length, and every 12-bit coefficient of
   * its polynomial part below q = 3329 (FIPS 203, section 7.2, the modulus check).
   *
   * @throws MalformedInputException if either check fails
   */
  public static MLKEMPublicKeyParameters checkedPublicKey(byte[] publicKey)
      throws MalformedInputException {
    if (publicKey == null || publicKey.length != PUBLIC_KEY_LENGTH) {
      throw new MalformedInputException(
          "ML-KEM-768 public key must be " + PUBLIC_KEY_LENGTH + " bytes, got "
              + (publicKey == null ? "null" : publicKey.length));
    }
    int polyBytes = PUBLIC_KEY_LENGTH - 32;
    for (int i = 0; i < polyBytes; i += 3) {
      int b0 = publicKey[i] & 0xff;
      int b1 = publicKey[i + 1] & 0xff;
      int b2 = publicKey[i + 2] & 0xff;
      int c0 = b0 | ((b1 & 0x0f) << 8);
      int c1 = (b1 >>> 4) | (b2 << 4);
      if (c0 >= Q || c1 >= Q) {
        throw new MalformedInputException("ML-KEM-768 public key is not reduced modulo q");
      }
    }
    return new MLKEMPublicKeyParameters(PARAMS, publicKey);
  }

  private static MLKEMPrivateKeyParameters privateParams(byte[] seed) {
    if (seed == null || seed.length != SEED_LENGTH) {
      throw new IllegalArgumentException("ML-KEM-768 seed must be 64 bytes");
    }
    return new MLKEMPrivateKeyParameters(PARAMS, seed);
  }
}
