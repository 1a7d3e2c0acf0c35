package dev.backchannel.api;

import java.time.Duration;
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
  /** The local name of the contact. */
  String name();

  /**
   * Sends {@code payload} (at most 65,536 bytes). The future completes with the message's
   * sequence number once the relay holds it durably, or fails with a
   * {@link dev.backchannel.api.error.BackchannelException} subtype (for example
   * {@link dev.backchannel.api.error.QuotaExceededException} for an oversized payload).
   */
  CompletableFuture<Long> send(byte[] payload);

  /** Sends {@code text} as UTF-8; see {@link #send(byte[])}. */
  CompletableFuture<Long> send(String text);

  /**
   * Registers the listener for incoming messages (replacing an earlier one). Messages waiting
   * in the inbox are passed to it at once. A message is handed out again only if the process
   * stopped while the listener was running for it.
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

  /** Called with each sequence number the peer skipped: a message possibly dropped on the way. */
  void onGap(LongConsumer listener);

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
}
