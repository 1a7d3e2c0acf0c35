package dev.backchannel.crypto.agreement;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The result of {@link Agreements#verify}: a status, a reason a person can read, and what the
 * file says (empty when the file could not be parsed). The reason never holds secret material.
 *
 * @param status {@link Status#COMPLETE}, {@link Status#OFFER} or {@link Status#INVALID}
 * @param reason one line saying why
 * @param title the agreement's title, or empty if the file could not be parsed
 * @param textSha256 SHA-256 of the canonical text, as the terms state it
 * @param textChecked whether a text (given or embedded) was compared with {@code textSha256}
 * @param termsHash SHA-256 of the terms: what was signed
 * @param parties every listed party, in terms order
 * @since 0.2
 */
public record Verification(Status status, String reason, String title,
    Optional<ByteValue> textSha256, boolean textChecked, Optional<ByteValue> termsHash,
    List<PartyStatus> parties) {

  /** What an agreement file proves. */
  public enum Status {
    /** Every listed party signed the same terms, every signature valid, the text matches. */
    COMPLETE,
    /** At least one listed party, but not all, signed; every signature present is valid. */
    OFFER,
    /** Malformed, a signature fails, the text does not match, or nobody signed. */
    INVALID
  }

  /**
   * One listed party.
   *
   * @param fingerprint the party's identity fingerprint (32 bytes)
   * @param label the party's label
   * @param role the party's role
   * @param signed whether the file holds a valid hybrid signature by this party; false for every
   *     party when the status is {@link Status#INVALID}
   */
  public record PartyStatus(ByteValue fingerprint, String label, PartyRole role, boolean signed) {
    /** Requires every component. */
    public PartyStatus {
      Objects.requireNonNull(fingerprint, "fingerprint");
      Objects.requireNonNull(label, "label");
      Objects.requireNonNull(role, "role");
    }
  }

  /** Requires every component and copies the list. */
  public Verification {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(textSha256, "textSha256");
    Objects.requireNonNull(termsHash, "termsHash");
    parties = List.copyOf(parties);
  }

  static Verification invalid(String reason) {
    return new Verification(Status.INVALID, reason, "", Optional.empty(), false, Optional.empty(),
        List.of());
  }
}
