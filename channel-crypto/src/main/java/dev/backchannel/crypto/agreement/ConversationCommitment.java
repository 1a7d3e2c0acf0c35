package dev.backchannel.crypto.agreement;

import dev.backchannel.crypto.InsecureSecretAccess;
import dev.backchannel.crypto.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The salted commitment that ties an agreement to the conversation it came from without revealing
 * which one: {@code SHA-256("Backchannel-v1 agreement conversation" || salt[32] || binding[32])}.
 * The salt is random and stays with the parties; the binding is a 32-byte hash that names the
 * conversation (the runtime uses a hash of the session, never a key). Opening the commitment
 * reveals the salt and that hash, nothing that authenticates a message.
 *
 * <p>Stateless and thread-safe.
 *
 * @since 0.2
 */
public final class ConversationCommitment {
  /** Salt length. */
  public static final int SALT_LENGTH = 32;
  /** Binding length. */
  public static final int BINDING_LENGTH = 32;

  static final byte[] LABEL =
      "Backchannel-v1 agreement conversation".getBytes(StandardCharsets.US_ASCII);

  private ConversationCommitment() {}

  /** A fresh random salt. */
  public static SecretBytes newSalt() {
    return SecretBytes.random(SALT_LENGTH);
  }

  /**
   * The commitment to {@code binding} under {@code salt}.
   *
   * @throws IllegalArgumentException if the salt or the binding is not 32 bytes
   */
  public static ByteValue commit(SecretBytes salt, byte[] binding) {
    if (salt.length() != SALT_LENGTH) {
      throw new IllegalArgumentException("salt must be " + SALT_LENGTH + " bytes");
    }
    if (binding == null || binding.length != BINDING_LENGTH) {
      throw new IllegalArgumentException("binding must be " + BINDING_LENGTH + " bytes");
    }
    return ByteValue.copyOf(
        Sha256.of(LABEL, salt.unsafeBytes(InsecureSecretAccess.get()), binding));
  }

  /** Whether {@code commitment} opens to {@code binding} under {@code salt} (constant time). */
  public static boolean opens(ByteValue commitment, SecretBytes salt, byte[] binding) {
    if (commitment == null || salt.length() != SALT_LENGTH
        || binding == null || binding.length != BINDING_LENGTH) {
      return false;
    }
    return MessageDigest.isEqual(commitment.raw(), commit(salt, binding).raw());
  }
}
