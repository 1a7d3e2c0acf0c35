package dev.backchannel.api;

/**
 * Where an {@link Agreement} stands, seen from this side.
 *
 * @since 0.3
 */
public enum AgreementStatus {
  /** On the table, waiting for the contact: this side proposed it or signed it already. */
  PROPOSED,
  /** This side's signature is awaited: the contact proposed it or signed it, and this side has not. */
  AWAITING_SIGNATURE,
  /** Both parties signed the same terms; {@link Agreement#export()} gives a file that verifies. */
  COMPLETE,
  /** One side rejected it before it was complete (or it expired unsigned); it cannot be signed. */
  REJECTED
}
