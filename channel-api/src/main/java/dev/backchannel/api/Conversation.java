package dev.backchannel.api;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * A two-party, end-to-end encrypted conversation with one contact, through a relay.
 *
 * <p>Guarantees: every message is sealed with the Double Ratchet before it leaves this process;
 * there is no way to send plaintext. A send's future completes only when the relay has durably
 * accepted the sealed envelope; until then it waits in a durable outbox and survives restarts.
 * A received message is acknowledged to the relay only after it and the new session state are
 * durably stored. Messages are handed to the application in the sender's order by sequence
 * number; a number that never arrives is reported through {@link #onGap}.
 *
 * <p>Thread-safe. Listeners run on the peer's callback executor, never on a network thread.
 *
 * @since 0.1
 */
public interface Conversation {
  /** The largest message {@link #send(byte[])} takes. */
  int MAX_MESSAGE_BYTES = 65_536 - 64;

  /** The local name of the contact. */
  String name();

  /**
   * Sends {@code payload} (at most {@link #MAX_MESSAGE_BYTES} bytes). The future completes with
   * the message's sequence number once the relay holds it durably. While the relay is unreachable
   * or refuses for a while (mailbox full, rate limited) the send stays pending and is retried in
   * the background. The future fails only when the message will certainly never be delivered:
   * {@link dev.backchannel.api.error.MessageTooLargeException} (never entered the outbox),
   * {@link dev.backchannel.api.error.UndeliverableException} (outbox full, waited past the
   * outbox's age limit, or refused for good by the relay), or
   * {@link dev.backchannel.api.error.StateStoreException} (it could not be stored, or the peer is
   * closed: a send after {@code close()} fails at once). A send still waiting for the relay when
   * the peer closes fails with {@link dev.backchannel.api.error.RelayUnavailableException}; the
   * message stays in the durable outbox and goes out when the peer is opened again.
   */
  CompletableFuture<Long> send(byte[] payload);

  /** Sends {@code text} as UTF-8; see {@link #send(byte[])}. */
  CompletableFuture<Long> send(String text);

  /**
   * Registers the listener for incoming messages (replacing an earlier one). Messages waiting
   * in the inbox are passed to it at once, in order. If the process stops, a message may be
   * handed out again only if its listener was running or had returned moments before (at most
   * the last 32 hand-outs, whose removal was not yet durable), with the same sequence number.
   */
  void onMessage(Consumer<Message> listener);

  /** Takes the oldest unread message, if any (when no listener is registered). */
  Optional<Message> poll();

  /**
   * Waits up to {@code timeout} for the next unread message.
   *
   * @throws InterruptedException if interrupted while waiting
   */
  Optional<Message> receive(Duration timeout) throws InterruptedException;

  /** Called with the sequence number of each of our messages the peer confirms it received. */
  void onDelivered(LongConsumer listener);

  /**
   * Called with each run of sequence numbers the peer skipped: messages possibly dropped on the
   * way. One call per run, however long. Runs seen before a listener was registered are handed to
   * the first one.
   */
  void onGap(Consumer<Gap> listener);

  /** How many of our sends are waiting for the relay (in the durable outbox). */
  int pendingSends();

  /** The safety number to compare with the contact out of band. */
  SafetyNumber safetyNumber();

  /** Whether the user has marked the safety number as verified. */
  boolean isVerified();

  /**
   * Records that the user compared the safety number with the contact and it matched.
   *
   * @throws dev.backchannel.api.error.StateStoreException if it cannot be stored
   */
  void markVerified() throws dev.backchannel.api.error.StateStoreException;

  /** Whether both sides have finished the handshake and messages can flow both ways. */
  boolean isEstablished();

  /**
   * Moves this side's receiving mailbox to a fresh one, so the relay can no longer link future
   * traffic to the old mailbox id. The new mailbox is locked to the contact's sender key and
   * announced inside the encrypted session; the old one keeps working until the contact's first
   * envelope arrives at the new one, and is then deleted. The future completes once the
   * announcement is durably at the relay.
   */
  CompletableFuture<Void> rotateMailboxes();

  /**
   * How this contact was made: by invitation, introduced by a contact (named here, with its
   * fingerprint), or verified.
   *
   * @since 0.3
   */
  Provenance provenance();

  /**
   * Proposes an agreement to the contact, valid from now without end, with this side labelled
   * {@code "proposer"} and the contact by this conversation's name. Returns once the proposal is
   * durable and queued (it is delivered like a message); nothing is signed yet.
   *
   * @param title 1..200 UTF-8 bytes, no control or bidirectional formatting characters
   * @param text the agreement text, well-formed, 1..{@link Agreement#MAX_TEXT_BYTES} UTF-8 bytes
   *     once CR LF is turned into LF (a lone CR is refused)
   * @throws dev.backchannel.api.error.MalformedInputException for a title or text that breaks
   *     these rules, or when the conversation is not established yet
   * @throws dev.backchannel.api.error.QuotaExceededException when too many agreements are open
   * @since 0.3
   */
  default Agreement propose(String title, String text) throws dev.backchannel.api.error.BackchannelException {
    return propose(title, text, "proposer", Instant.parse("9999-12-31T23:59:59Z"));
  }

  /**
   * Proposes an agreement as {@link #propose(String, String)}, with this side's label and an end.
   *
   * @param ownLabel this side's label in the signed terms: 1..64 UTF-8 bytes, printable
   * @param expiresAt when the agreement ends (after now, at most 9999-12-31T23:59:59Z)
   * @since 0.3
   */
  Agreement propose(String title, String text, String ownLabel, Instant expiresAt)
      throws dev.backchannel.api.error.BackchannelException;

  /**
   * Calls {@code listener} with an agreement when the contact proposes it and whenever one of this
   * conversation's agreements changes status (a signature or a rejection arrives). Replaces any
   * earlier listener; runs on the callback executor.
   *
   * @since 0.3
   */
  void onAgreement(Consumer<Agreement> listener);

  /** This conversation's agreements, oldest first. @since 0.3 */
  java.util.List<Agreement> agreements();
}
