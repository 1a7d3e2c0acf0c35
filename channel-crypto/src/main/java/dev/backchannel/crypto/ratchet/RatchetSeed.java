package dev.backchannel.crypto.ratchet;

import dev.backchannel.crypto.SecretBytes;
import java.util.Objects;

/**
 * What a completed handshake hands to the Double Ratchet: the shared root key, the two initial
 * header keys of the header-encryption variant, and the associated data that binds both
 * identities (and the handshake's context) into every message of the session.
 *
 * <p>The initiator is the side that sends the first message (the one who accepted an
 * invitation); the responder published the prekey bundle. Following the Double Ratchet
 * specification (section 4, "header encryption"), the initiator starts with
 * {@code HKs = initiatorHeaderKey} and {@code NHKr = responderHeaderKey}; the responder starts
 * with {@code NHKs = responderHeaderKey} and {@code NHKr = initiatorHeaderKey}.
 *
 * <p>Owns its secrets: {@link #close()} zeroes them. Not thread-safe. Never printed.
 *
 * @since 0.1
 */
public final class RatchetSeed implements AutoCloseable {
  private final SecretBytes rootKey;
  private final SecretBytes initiatorHeaderKey;
  private final SecretBytes responderHeaderKey;
  private final byte[] associatedData;

  /**
   * Creates a seed; takes ownership of the three secrets (each 32 bytes).
   *
   * @throws IllegalArgumentException if a key is not 32 bytes
   */
  public RatchetSeed(
      SecretBytes rootKey,
      SecretBytes initiatorHeaderKey,
      SecretBytes responderHeaderKey,
      byte[] associatedData) {
    this.rootKey = check(rootKey, "rootKey");
    this.initiatorHeaderKey = check(initiatorHeaderKey, "initiatorHeaderKey");
    this.responderHeaderKey = check(responderHeaderKey, "responderHeaderKey");
    this.associatedData = Objects.requireNonNull(associatedData, "associatedData").clone();
  }

  private static SecretBytes check(SecretBytes key, String name) {
    Objects.requireNonNull(key, name);
    if (key.length() != 32) {
      throw new IllegalArgumentException(name + " must be 32 bytes, got " + key.length());
    }
    return key;
  }

  /** The root key {@code SK}. */
  public SecretBytes rootKey() {
    return rootKey;
  }

  /** The initiator's first sending header key (the responder's first receiving one). */
  public SecretBytes initiatorHeaderKey() {
    return initiatorHeaderKey;
  }

  /** The responder's first next-sending header key (the initiator's first next-receiving one). */
  public SecretBytes responderHeaderKey() {
    return responderHeaderKey;
  }

  /** The associated data every message of the session authenticates (a copy). */
  public byte[] associatedData() {
    return associatedData.clone();
  }

  /** Zeroes the secrets. Idempotent. */
  @Override
  public void close() {
    rootKey.close();
    initiatorHeaderKey.close();
    responderHeaderKey.close();
  }

  @Override
  public String toString() {
    return "RatchetSeed[redacted]";
  }
}
