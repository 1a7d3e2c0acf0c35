package dev.backchannel.api;

import java.util.Objects;
import java.util.Optional;

/**
 * How a contact came to be: through an invitation passed out of band, introduced by a contact
 * both sides trusted, or verified by comparing safety numbers (which outranks the other two).
 *
 * <p>An introduced contact is only as sound as its introducer's word until it is verified: an
 * introducer who substituted keys would be exposed by the safety number, which depends on the
 * two parties' identities alone. Immutable.
 *
 * @param kind how the contact was made
 * @param introducerName this side's name for the introducer, when one introduced the contact
 *     (kept after verification)
 * @param introducerFingerprint the introducer's identity fingerprint (32 bytes), likewise
 * @since 0.3
 */
public record Provenance(Kind kind, Optional<String> introducerName, Optional<byte[]> introducerFingerprint) {
  /** How a contact was made. */
  public enum Kind {
    /** Through an invitation passed out of band (made here or accepted here). */
    INVITATION,
    /** Introduced by a contact; not yet verified. */
    INTRODUCED,
    /** The safety number was compared and the contact marked verified. */
    VERIFIED
  }

  /** Checks the parts and copies the fingerprint. */
  public Provenance {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(introducerName, "introducerName");
    introducerFingerprint = Objects.requireNonNull(introducerFingerprint, "introducerFingerprint").map(byte[]::clone);
  }

  /** The introducer's fingerprint (a copy). */
  @Override
  public Optional<byte[]> introducerFingerprint() {
    return introducerFingerprint.map(byte[]::clone);
  }
}
