package dev.backchannel.crypto.internal;

import dev.backchannel.api.error.AuthenticationFailedException;

/**
 * An authenticated cipher with a 32-byte key, a 12-byte nonce and a 16-byte tag. The output of
 * {@link #seal} is {@code ciphertext || tag}. Implementations are thread-safe.
 *
 * <p>Wrong key or nonce lengths are programming errors and throw
 * {@link IllegalArgumentException} before anything is computed; a ciphertext that does not
 * authenticate throws {@link AuthenticationFailedException} and returns no plaintext.
 */
public interface Aead {
  /** Key length in bytes. */
  int KEY_LENGTH = 32;
  /** Nonce length in bytes: the only one accepted. */
  int NONCE_LENGTH = 12;
  /** Tag length in bytes. */
  int TAG_LENGTH = 16;

  /** Encrypts and authenticates; returns {@code ciphertext || tag}. */
  byte[] seal(byte[] key, byte[] nonce, byte[] aad, byte[] plaintext);

  /** Encrypts {@code plaintext[off, off+len)}; returns {@code ciphertext || tag}. */
  byte[] seal(byte[] key, byte[] nonce, byte[] aad, byte[] plaintext, int off, int len);

  /** Checks and decrypts {@code ciphertextAndTag}. */
  byte[] open(byte[] key, byte[] nonce, byte[] aad, byte[] ciphertextAndTag)
      throws AuthenticationFailedException;

  /** Checks and decrypts {@code input[off, off+len)}, which holds {@code ciphertext || tag}. */
  byte[] open(byte[] key, byte[] nonce, byte[] aad, byte[] input, int off, int len)
      throws AuthenticationFailedException;

  /** A short name, such as {@code AES-256-GCM}. */
  String name();

  /** Checks the key and nonce lengths shared by every implementation. */
  static void checkParameters(byte[] key, byte[] nonce) {
    if (key == null || key.length != KEY_LENGTH) {
      throw new IllegalArgumentException(
          "AEAD key must be " + KEY_LENGTH + " bytes, got " + (key == null ? "null" : key.length));
    }
    if (nonce == null || nonce.length != NONCE_LENGTH) {
      throw new IllegalArgumentException(
          "AEAD nonce must be " + NONCE_LENGTH + " bytes, got "
              + (nonce == null ? "null" : nonce.length));
    }
  }
}
