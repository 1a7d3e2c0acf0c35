package dev.backchannel.netty.relay.store;

import dev.backchannel.api.error.QuotaExceededException;
import dev.backchannel.api.error.StateStoreException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The relay's durable store of mailboxes, envelopes and sealed invitation bundles.
 *
 * <p>Contract every implementation keeps:
 *
 * <ul>
 *   <li>A future returned by {@link #append} completes normally only once the envelope is
 *       durable (it survives a crash of the process or the machine); it fails with
 *       {@link StateStoreException} when durability cannot be ensured (disk full, sync failure)
 *       and with {@link QuotaExceededException} when the mailbox is full. Appends with a message
 *       id already stored in the mailbox are not stored twice and report the first sequence.
 *       Sequences increase by one per stored envelope of a mailbox; the relay hands a new
 *       envelope to a caught-up subscriber straight from memory under the sequence reported
 *       here, so it must be the one {@link #read} will show.
 *   <li>{@link #remove} deletes only after the removal is durable.
 *   <li>Methods are thread-safe. Blocking methods may do disk I/O: never call them on an event
 *       loop.
 * </ul>
 *
 * @since 0.1
 */
public interface MailboxStore extends AutoCloseable {
  /** Result of an append: the envelope's sequence and whether it was already stored. */
  record Appended(long sequence, boolean duplicate) {}

  /** Count and total body bytes of the envelopes in a mailbox. */
  record Usage(long envelopes, long bytes) {}

  /**
   * Creates a mailbox durably.
   *
   * @return false if a mailbox with this id already exists (nothing is changed)
   * @throws StateStoreException on a storage failure
   */
  boolean createMailbox(MailboxRecord mailbox) throws StateStoreException;

  /** The mailbox with {@code mailboxId}, if it exists. */
  Optional<MailboxRecord> mailbox(byte[] mailboxId) throws StateStoreException;

  /**
   * Replaces a mailbox's record durably (used to lock it to a sender).
   *
   * @throws StateStoreException on a storage failure
   */
  void updateMailbox(MailboxRecord mailbox) throws StateStoreException;

  /**
   * Deletes a mailbox and all its envelopes durably.
   *
   * @throws StateStoreException on a storage failure
   */
  void deleteMailbox(byte[] mailboxId) throws StateStoreException;

  /**
   * Appends an envelope to an existing mailbox; completes once durable. Must not block: it
   * returns at once (the relay calls it on an event loop) and does the I/O elsewhere.
   *
   * @param maxEnvelopes the mailbox's quota of envelopes
   * @param maxBytes the mailbox's quota of body bytes
   */
  CompletableFuture<Appended> append(
      byte[] mailboxId, byte[] messageId, byte[] body, long expiresAtMillis, long maxEnvelopes,
      long maxBytes);

  /** Up to {@code max} envelopes with sequence at least {@code fromSequence}, in order. */
  List<StoredEnvelope> read(byte[] mailboxId, long fromSequence, int max) throws StateStoreException;

  /** Removes the envelope with {@code messageId}; completes with whether it existed. Must not block. */
  CompletableFuture<Boolean> remove(byte[] mailboxId, byte[] messageId);

  /** Current usage of a mailbox. */
  Usage usage(byte[] mailboxId) throws StateStoreException;

  /**
   * Stores a sealed invitation bundle durably, replacing one with the same id.
   *
   * @throws StateStoreException on a storage failure
   */
  void putInvitation(byte[] invitationId, byte[] bundle, long expiresAtMillis)
      throws StateStoreException;

  /** The bundle stored under {@code invitationId}, if present and not expired at {@code nowMillis}. */
  Optional<byte[]> fetchInvitation(byte[] invitationId, long nowMillis) throws StateStoreException;

  /**
   * Deletes envelopes and invitation bundles that expired before {@code nowMillis}.
   *
   * @return how many were deleted
   */
  int expire(long nowMillis) throws StateStoreException;

  /** Flushes and releases the store. Idempotent. */
  @Override
  void close();
}
