package dev.backchannel.crypto.internal;

import dev.backchannel.api.error.AuthenticationFailedException;
import dev.backchannel.api.error.BackchannelBugException;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * ChaCha20-Poly1305 (RFC 8439) from Bouncy Castle's lightweight API. Kept as the alternative
 * AEAD behind {@link Aead}; measured about 16x slower than the JDK's AES-GCM at 16 KiB on
 * machines with AES-NI.
 */
public final class ChaCha20Poly1305Aead implements Aead {
  /** The shared instance. */
  public static final ChaCha20Poly1305Aead INSTANCE = new ChaCha20Poly1305Aead();

  private ChaCha20Poly1305Aead() {}

  @Override
  public byte[] seal(byte[] key, byte[] nonce, byte[] aad, byte[] plaintext) {
    return seal(key, nonce, aad, plaintext, 0, plaintext.length);
  }

  @Override
  public byte[] seal(byte[] key, byte[] nonce, byte[] aad, byte[] plaintext, int off, int len) {
    Aead.checkParameters(key, nonce);
    ChaCha20Poly1305 cipher = new ChaCha20Poly1305();
    cipher.init(true, new AEADParameters(new KeyParameter(key), TAG_LENGTH * 8, nonce, aad));
    byte[] out = new byte[cipher.getOutputSize(len)];
    int n = cipher.processBytes(plaintext, off, len, out, 0);
    try {
      cipher.doFinal(out, n);
    } catch (InvalidCipherTextException e) {
      throw new BackchannelBugException("ChaCha20-Poly1305 seal failed", e);
    }
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
    if (len < TAG_LENGTH) {
      throw new AuthenticationFailedException("ciphertext shorter than the tag");
    }
    ChaCha20Poly1305 cipher = new ChaCha20Poly1305();
    cipher.init(false, new AEADParameters(new KeyParameter(key), TAG_LENGTH * 8, nonce, aad));
    byte[] out = new byte[cipher.getOutputSize(len)];
    int n = cipher.processBytes(input, off, len, out, 0);
    try {
      cipher.doFinal(out, n);
    } catch (InvalidCipherTextException | IllegalStateException e) {
      java.util.Arrays.fill(out, (byte) 0);
      throw new AuthenticationFailedException("authentication failed");
    }
    return out;
  }

  @Override
  public String name() {
    return "ChaCha20-Poly1305";
  }
}
