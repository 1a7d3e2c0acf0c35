package dev.backchannel.crypto.internal;

import dev.backchannel.api.error.AuthenticationFailedException;
import dev.backchannel.api.error.BackchannelBugException;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM from the JDK (SunJCE, with AES-NI and CLMUL intrinsics): the AEAD Backchannel uses
 * by default, chosen by measurement (see {@code benchmarks}). One {@link Cipher} per thread.
 */
public final class AesGcmAead implements Aead {
  /** The shared instance. */
  public static final AesGcmAead INSTANCE = new AesGcmAead();

  /**
   * An instance with its own per-thread {@link Cipher}, for keys used many times in a row (the
   * ratchet's header keys): the JDK skips the AES key schedule when a cipher is initialised again
   * with the key it already holds, which cannot happen if one-time keys pass through the same
   * cipher in between.
   */
  public static final AesGcmAead FOR_REUSED_KEYS = new AesGcmAead();

  private final ThreadLocal<Cipher> ciphers =
      ThreadLocal.withInitial(
          () -> {
            try {
              return Cipher.getInstance("AES/GCM/NoPadding");
            } catch (GeneralSecurityException e) {
              throw new BackchannelBugException("AES/GCM unavailable in this JDK", e);
            }
          });

  private AesGcmAead() {}

  @Override
  public byte[] seal(byte[] key, byte[] nonce, byte[] aad, byte[] plaintext) {
    return seal(key, nonce, aad, plaintext, 0, plaintext.length);
  }

  @Override
  public byte[] seal(byte[] key, byte[] nonce, byte[] aad, byte[] plaintext, int off, int len) {
    Aead.checkParameters(key, nonce);
    byte[] out = new byte[len + TAG_LENGTH];
    seal(key, nonce, 0, aad, aad == null ? 0 : aad.length, plaintext, off, len, out, 0);
    return out;
  }

  @Override
  public byte[] open(byte[] key, byte[] nonce, byte[] aad, byte[] ciphertextAndTag)
      throws AuthenticationFailedException {
    return open(key, nonce, aad, ciphertextAndTag, 0, ciphertextAndTag.length);
  }

  @Override
  public byte[] open(byte[] key, byte[] nonce, byte[] aad, byte[] input, int off, int len)
      throws AuthenticationFailedException {
    Aead.checkParameters(key, nonce);
    return open(key, nonce, 0, aad, aad == null ? 0 : aad.length, input, off, len);
  }

  /**
   * Seals {@code in[inOff, inOff+len)} into {@code out} at {@code outOff} ({@code len + 16}
   * bytes), with the nonce at {@code nonce[nonceOff, nonceOff+12)} and the associated data
   * {@code aad[0, aadLen)}: no intermediate copies.
   */
  public void seal(byte[] key, byte[] nonce, int nonceOff, byte[] aad, int aadLen,
      byte[] in, int inOff, int len, byte[] out, int outOff) {
    checkKey(key, nonce, nonceOff);
    Cipher cipher = ciphers.get();
    try {
      cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"),
          new GCMParameterSpec(TAG_LENGTH * 8, nonce, nonceOff, NONCE_LENGTH));
      if (aadLen > 0) {
        cipher.updateAAD(aad, 0, aadLen);
      }
      cipher.doFinal(in, inOff, len, out, outOff);
    } catch (GeneralSecurityException e) {
      ciphers.remove();
      throw new BackchannelBugException("AES-GCM seal failed", e);
    }
  }

  /**
   * Opens {@code in[off, off+len)} (ciphertext and tag) with the nonce at {@code
   * nonce[nonceOff, nonceOff+12)} and the associated data {@code aad[0, aadLen)}.
   *
   * @throws AuthenticationFailedException if the tag does not verify
   */
  public byte[] open(byte[] key, byte[] nonce, int nonceOff, byte[] aad, int aadLen,
      byte[] in, int off, int len) throws AuthenticationFailedException {
    checkKey(key, nonce, nonceOff);
    if (len < TAG_LENGTH) {
      throw new AuthenticationFailedException("ciphertext shorter than the tag");
    }
    Cipher cipher = ciphers.get();
    try {
      cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"),
          new GCMParameterSpec(TAG_LENGTH * 8, nonce, nonceOff, NONCE_LENGTH));
      if (aadLen > 0) {
        cipher.updateAAD(aad, 0, aadLen);
      }
      return cipher.doFinal(in, off, len);
    } catch (AEADBadTagException e) {
      throw new AuthenticationFailedException("authentication failed");
    } catch (GeneralSecurityException e) {
      ciphers.remove();
      throw new AuthenticationFailedException("authentication failed");
    }
  }

  private static void checkKey(byte[] key, byte[] nonce, int nonceOff) {
    if (key == null || key.length != KEY_LENGTH) {
      throw new IllegalArgumentException("AEAD key must be " + KEY_LENGTH + " bytes");
    }
    if (nonce == null || nonceOff < 0 || nonceOff > nonce.length - NONCE_LENGTH) {
      throw new IllegalArgumentException("AEAD nonce must be " + NONCE_LENGTH + " bytes");
    }
  }

  @Override
  public String name() {
    return "AES-256-GCM";
  }
}
