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

  private static final ThreadLocal<Cipher> CIPHER =
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
    Cipher cipher = CIPHER.get();
    try {
      init(cipher, Cipher.ENCRYPT_MODE, key, nonce);
      if (aad != null && aad.length > 0) {
        cipher.updateAAD(aad);
      }
      return cipher.doFinal(plaintext, off, len);
    } catch (GeneralSecurityException e) {
      CIPHER.remove();
      throw new BackchannelBugException("AES-GCM seal failed", e);
    }
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
    if (len < TAG_LENGTH) {
      throw new AuthenticationFailedException("ciphertext shorter than the tag");
    }
    Cipher cipher = CIPHER.get();
    try {
      init(cipher, Cipher.DECRYPT_MODE, key, nonce);
      if (aad != null && aad.length > 0) {
        cipher.updateAAD(aad);
      }
      return cipher.doFinal(input, off, len);
    } catch (AEADBadTagException e) {
      throw new AuthenticationFailedException("authentication failed");
    } catch (GeneralSecurityException e) {
      CIPHER.remove();
      throw new AuthenticationFailedException("authentication failed");
    }
  }

  private static void init(Cipher cipher, int mode, byte[] key, byte[] nonce)
      throws GeneralSecurityException {
    cipher.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_LENGTH * 8, nonce));
  }

  @Override
  public String name() {
    return "AES-256-GCM";
  }
}
