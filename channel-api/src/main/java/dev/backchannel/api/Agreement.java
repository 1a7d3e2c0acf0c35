package dev.backchannel.api;

import dev.backchannel.api.error.AgreementClosedException;
import dev.backchannel.api.error.BackchannelException;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * An agreement proposed in a {@link Conversation}: terms (a title, a text, the two parties, a
 * validity) that become binding only when both parties sign them. The proposal and the text
 * travel inside the conversation's ratchet and are as deniable as any message; a signature is
 * not: it is an Ed25519 and an ML-DSA-65 signature by the signer's identity over exactly these
 * terms, and nothing else of the conversation.
 *
 * <p>Flow: one side proposes (nothing signed yet); the other signs or rejects; the proposer then
 * signs back (the countersignature) or rejects. Whoever signs first hands the other an offer that
 * can be kept without signing back; a {@link #reject()} after signing cannot take that signature
 * back. Both sides keep the agreement, with every signature they hold, in their state.
 *
 * <p>Thread-safe. {@link #status()} reads the latest state; the handle stays valid across
 * status changes.
 *
 * @since 0.3
 */
public interface Agreement {
  /**
   * The longest agreement text a conversation carries, in canonical UTF-8 bytes: the proposal
   * travels in one message, beside the terms.
   */
  int MAX_TEXT_BYTES = 57_344;

  /** The agreement id: 32 lowercase hex characters (16 random bytes chosen by the proposer). */
  String id();

  /** The local name of the contact this agreement is with. */
  String contact();

  /** The title, as signed. */
  String title();

  /** The agreement text in its canonical form (line ends LF), as its hash is signed. */
  String text();

  /** Whether this side proposed it. */
  boolean proposedByMe();

  /** From when the agreement applies (a second boundary). */
  Instant notBefore();

  /** When it ends (a second boundary; {@code 9999-12-31T23:59:59Z} when proposed without end). */
  Instant expiresAt();

  /** Where it stands now. */
  AgreementStatus status();

  /**
   * Signs the terms and sends the signature to the contact, or, when the contact signed in
   * escrow ({@link #signInEscrow}), deposits it with the same intermediary. Completes when the
   * signature is durable here and the relay holds the envelope that carries it; signing again
   * after that completes at once and sends nothing.
   *
   * @return fails with {@link AgreementClosedException} when rejected, expired or not signable,
   *     and with the send's error when the signature can never be delivered
   */
  CompletableFuture<Void> sign();

  /**
   * Signs the terms in escrow: the signature goes to {@code intermediary} (a third contact both
   * parties know, such as the one who introduced them), who holds it until the contact deposits
   * its own signature of the same terms, then releases both to both at once. So neither side
   * can hold the other's signature without giving its own. The contact is told this side's
   * ML-DSA-65 key and the intermediary's fingerprint, and no signature; when it then calls
   * {@link #sign()}, its signature goes to the same intermediary. The intermediary learns the
   * terms (title, text hash, parties), never the text, and keeps a deposit at most 30 days.
   * Signing in escrow again with the same intermediary completes at once and sends nothing.
   *
   * @return fails with {@link AgreementClosedException} as {@link #sign()}, and with {@link
   *     dev.backchannel.api.error.MalformedInputException} when {@code intermediary} is not an
   *     established conversation of this peer, is the contact, is a party, or is not the
   *     intermediary the contact chose
   */
  CompletableFuture<Void> signInEscrow(Conversation intermediary);

  /**
   * The local name of the intermediary holding signatures of this agreement in escrow: the one
   * this side deposited with, or the one the contact asked for; empty when signed directly.
   */
  java.util.Optional<String> escrow();

  /**
   * Rejects the agreement and tells the contact. A signature this side gave already stays with
   * the contact.
   *
   * @return fails with {@link AgreementClosedException} when it is complete or rejected already
   */
  CompletableFuture<Void> reject();

  /**
   * The agreement file (binary form, with the text embedded): the terms and every signature held.
   * A complete agreement's file verifies as complete; one with a single signature as an offer.
   *
   * @throws AgreementClosedException if no party has signed yet (there is nothing to verify)
   */
  byte[] export() throws BackchannelException;

  /**
   * The same file ASCII-armored ({@code -----BEGIN BACKCHANNEL AGREEMENT-----}).
   *
   * @throws AgreementClosedException if no party has signed yet
   */
  String exportArmored() throws BackchannelException;
}
