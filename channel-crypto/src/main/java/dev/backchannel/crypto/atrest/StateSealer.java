package dev.backchannel.crypto.atrest;

import dev.backchannel.api.error.AuthenticationFailedException;
import dev.backchannel.api.error.MalformedInputException;
import dev.backchannel.crypto.InsecureSecretAccess;
import dev.backchannel.crypto.SecretBytes;
import dev.backchannel.crypto.internal.Aead;
import dev.backchannel.crypto.internal.AesGcmAead;
import dev.backchannel.crypto.internal.Hkdf;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * Seals records of local state at rest under a state key (from {@link PassphraseKeys}).
 *
 * <p>A sealed record is {@code u8 version (1) || nonce (12 random bytes) || AES-256-GCM
 * ciphertext || tag}, under the record key {@code HKDF-SHA256(salt = empty, ikm = state key,
 * info = "Backchannel-v1 state at rest", 32)} with associated data
 * {@code "Backchannel-v1 state record" || u16 len(name) || name (UTF-8)}. Binding the record name
 * means a record moved to another name (or another store) fails to open.
 *
 * <p>Owns a copy of the key; {@link #close()} zeroes it. Thread-safe.
 *
 * @since 0.1
 */
public final class StateSealer implements AutoCloseable {
  /** Format version of a sealed record. */
  public static final int VERSION = 1;
  /** Bytes a sealed record adds to its plaintext. */
  public static final int OVERHEAD = 1 + Aead.NONCE_LENGTH + Aead.TAG_LENGTH;

  private static final byte[] KEY_LABEL = Hkdf.label("Backchannel-v1 state at rest");
  private static final byte[] AD_LABEL = Hkdf.label("Backchannel-v1 state record");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretBytes recordKey;

  /** Creates a sealer for {@code stateKey} (32 bytes), which the caller still owns. */
  public StateSealer(SecretBytes stateKey) {
    if (stateKey.length() != PassphraseKeys.KEY_LENGTH) {
      throw new IllegalArgumentException("state key must be 32 bytes");
    }
    this.recordKey =
        SecretBytes.wrap(
            Hkdf.derive(null, stateKey.unsafeBytes(InsecureSecretAccess.get()), KEY_LABEL, 32),
            InsecureSecretAccess.get());
  }

  /** Seals {@code plaintext} as the record called {@code name}. */
  public byte[] seal(String name, byte[] plaintext) {
    byte[] nonce = new byte[Aead.NONCE_LENGTH];
    RANDOM.nextBytes(nonce);
    byte[] ct =
        AesGcmAead.INSTANCE.seal(
            recordKey.unsafeBytes(InsecureSecretAccess.get()), nonce, ad(name), plaintext);
    byte[] out = new byte[1 + nonce.length + ct.length];
    out[0] = VERSION;
    System.arraycopy(nonce, 0, out, 1, nonce.length);
    System.arraycopy(ct, 0, out, 1 + nonce.length, ct.length);
    return out;
  }

  /**
   * Opens the record called {@code name}.
   *
   * @throws MalformedInputException if the bytes are too short or of another version
   * @throws AuthenticationFailedException if the key (passphrase) is wrong, the record was
   *     changed, or it belongs to another name
   */
  public byte[] open(String name, byte[] sealed)
      throws MalformedInputException, AuthenticationFailedException {
    if (sealed == null || sealed.length < OVERHEAD) {
      throw new MalformedInputException("sealed state record too short");
    }
    if (sealed[0] != VERSION) {
      throw new MalformedInputException("unknown sealed state record version " + (sealed[0] & 0xff));
    }
    byte[] nonce = Arrays.copyOfRange(sealed, 1, 1 + Aead.NONCE_LENGTH);
    return AesGcmAead.INSTANCE.open(
        recordKey.unsafeBytes(InsecureSecretAccess.get()),
        nonce,
        ad(name),
        sealed,
        1 + Aead.NONCE_LENGTH,
        sealed.length - 1 - Aead.NONCE_LENGTH);
  }

  private static byte[] ad(String name) {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    if (n.length > 0xffff) {
      throw new IllegalArgumentException("record name too long");
    }
    byte[] ad = new byte[AD_LABEL.length + 2 + n.length];
    System.arraycopy(AD_LABEL, 0, ad, 0, AD_LABEL.length);
    ad[AD_LABEL.length] = (byte) (n.length >>> 8);
    ad[AD_LABEL.length + 1] = (byte) n.length;
    System.arraycopy(n, 0, ad, AD_LABEL.length + 2, n.length);
    return ad;
  }

  /** Zeroes the record key. Idempotent. */
  @Override
  public void close() {
    recordKey.close();
  }

  @Override
  public String toString() {
    return "StateSealer[redacted]";
  }
}
