package dev.backchannel.crypto.atrest;

import dev.backchannel.crypto.InsecureSecretAccess;
import dev.backchannel.crypto.SecretBytes;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Derives the 32-byte state key from a passphrase with Argon2id (RFC 9106, version 0x13,
 * Bouncy Castle). The passphrase is encoded as UTF-8; the caller's {@code char[]} is overwritten
 * with zeros once the key is derived, and so is the intermediate byte copy.
 *
 * <p>Slow by design (about a third of a second with the default parameters): never call it on
 * an event loop. Stateless and thread-safe.
 *
 * @since 0.1
 */
public final class PassphraseKeys {
  /** Salt length in bytes. */
  public static final int SALT_LENGTH = 16;
  /** Length of the derived key. */
  public static final int KEY_LENGTH = 32;

  private PassphraseKeys() {}

  /**
   * Derives the key and zeroes {@code passphrase}.
   *
   * @throws IllegalArgumentException if the salt is not 16 bytes or the passphrase is empty
   */
  public static SecretBytes derive(char[] passphrase, byte[] salt, Argon2idParameters params) {
    Objects.requireNonNull(passphrase, "passphrase");
    Objects.requireNonNull(params, "params");
    if (salt == null || salt.length != SALT_LENGTH) {
      throw new IllegalArgumentException("salt must be " + SALT_LENGTH + " bytes");
    }
    if (passphrase.length == 0) {
      throw new IllegalArgumentException("passphrase must not be empty");
    }
    ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(passphrase));
    byte[] password = new byte[encoded.remaining()];
    encoded.get(password);
    if (encoded.hasArray()) {
      Arrays.fill(encoded.array(), (byte) 0);
    }
    Arrays.fill(passphrase, '\0');
    try {
      return SecretBytes.wrap(
          argon2id(password, salt, null, null, params, KEY_LENGTH), InsecureSecretAccess.get());
    } finally {
      Arrays.fill(password, (byte) 0);
    }
  }

  /** Raw Argon2id with optional secret and associated data; for known-answer tests. */
  static byte[] argon2id(
      byte[] password, byte[] salt, byte[] secret, byte[] ad, Argon2idParameters p, int length) {
    Argon2Parameters.Builder b =
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withMemoryAsKB(p.memoryKiB())
            .withIterations(p.iterations())
            .withParallelism(p.parallelism())
            .withSalt(salt);
    if (secret != null) {
      b.withSecret(secret);
    }
    if (ad != null) {
      b.withAdditional(ad);
    }
    Argon2BytesGenerator gen = new Argon2BytesGenerator();
    gen.init(b.build());
    byte[] out = new byte[length];
    gen.generateBytes(password, out);
    return out;
  }
}
