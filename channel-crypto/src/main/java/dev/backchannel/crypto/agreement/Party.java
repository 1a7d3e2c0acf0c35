package dev.backchannel.crypto.agreement;

import dev.backchannel.crypto.IdentityPublicKey;
import java.util.Objects;

/**
 * One party as the terms list it: a label shown to people, a role, the full public identity
 * (so a verifier can check it and compute its fingerprint) and the party's ML-DSA-65 public key
 * (bound to the identity because both keys sign terms that contain it).
 *
 * <p>Immutable; the constructor validates.
 *
 * @param label the name shown for the party: 1..{@link #MAX_LABEL_BYTES} UTF-8 bytes, no control
 *     or bidirectional formatting characters
 * @param role what the party is to the agreement
 * @param identity the party's public identity
 * @param mlDsa65PublicKey the party's 1952-byte ML-DSA-65 public key
 * @since 0.2
 */
public record Party(String label, PartyRole role, IdentityPublicKey identity,
    ByteValue mlDsa65PublicKey) {
  /** The longest label, in UTF-8 bytes. */
  public static final int MAX_LABEL_BYTES = 64;

  /**
   * Validates the party.
   *
   * @throws IllegalArgumentException if the label breaks its rules or the key has the wrong length
   * @throws NullPointerException if any component is null
   */
  public Party {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(mlDsa65PublicKey, "mlDsa65PublicKey");
    DisplayText.encode("party label", label, MAX_LABEL_BYTES);
    if (mlDsa65PublicKey.length() != MlDsa65.PUBLIC_KEY_LENGTH) {
      throw new IllegalArgumentException(
          "ML-DSA-65 public key must be " + MlDsa65.PUBLIC_KEY_LENGTH + " bytes");
    }
  }

  /** The party's identity fingerprint (section "Identity" of PROTOCOL.md). */
  public ByteValue fingerprint() {
    return ByteValue.copyOf(identity.fingerprint());
  }
}
