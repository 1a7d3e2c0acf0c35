package dev.backchannel.crypto.agreement;

import java.security.SecureRandom;
import org.bouncycastle.crypto.CipherParameters;
import org.bouncycastle.crypto.CryptoException;
import org.bouncycastle.crypto.params.MLDSAParameters;
import org.bouncycastle.crypto.params.MLDSAPrivateKeyParameters;
import org.bouncycastle.crypto.params.MLDSAPublicKeyParameters;
import org.bouncycastle.crypto.params.ParametersWithContext;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.crypto.signers.MLDSASigner;

/**
 * ML-DSA-65 (FIPS 204, pure mode, with a context string) on Bouncy Castle. Private keys are kept
 * as the 32-byte key generation seed {@code xi} (FIPS 204 ML-DSA.KeyGen_internal). Signing is
 * hedged when given a random source and deterministic (FIPS 204 {@code rnd = 0^32}) without one.
 */
final class MlDsa65 {
  static final int SEED_LENGTH = 32;
  static final int PUBLIC_KEY_LENGTH = 1952;
  static final int SIGNATURE_LENGTH = 3309;

  private static final MLDSAParameters PARAMS = MLDSAParameters.ml_dsa_65;

  private MlDsa65() {}

  /** The public key for {@code seed}. */
  static byte[] publicKey(byte[] seed) {
    MLDSAPrivateKeyParameters sk = privateKey(seed);
    try {
      return sk.getPublicKey();
    } finally {
      sk.destroy();
    }
  }

  /** Signs {@code message} under {@code context}; {@code random} null means deterministic. */
  static byte[] sign(byte[] seed, byte[] context, byte[] message, SecureRandom random) {
    MLDSAPrivateKeyParameters sk = privateKey(seed);
    try {
      CipherParameters p = random == null ? sk : new ParametersWithRandom(sk, random);
      MLDSASigner signer = new MLDSASigner();
      signer.init(true, new ParametersWithContext(p, context));
      signer.update(message, 0, message.length);
      return signer.generateSignature();
    } catch (CryptoException e) {
      throw new IllegalStateException("ML-DSA-65 signing failed", e);
    } finally {
      sk.destroy();
    }
  }

  /** Whether {@code signature} is valid for {@code message} and {@code context}; never throws. */
  static boolean verify(byte[] publicKey, byte[] context, byte[] message, byte[] signature) {
    if (publicKey == null || publicKey.length != PUBLIC_KEY_LENGTH
        || signature == null || signature.length != SIGNATURE_LENGTH || message == null) {
      return false;
    }
    try {
      MLDSASigner verifier = new MLDSASigner();
      verifier.init(false,
          new ParametersWithContext(new MLDSAPublicKeyParameters(PARAMS, publicKey), context));
      verifier.update(message, 0, message.length);
      return verifier.verifySignature(signature);
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static MLDSAPrivateKeyParameters privateKey(byte[] seed) {
    if (seed == null || seed.length != SEED_LENGTH) {
      throw new IllegalArgumentException("ML-DSA-65 seed must be " + SEED_LENGTH + " bytes");
    }
    // Bouncy Castle keeps the array and destroy() zeroes it: give it a copy of its own.
    return new MLDSAPrivateKeyParameters(PARAMS, seed.clone());
  }
}
