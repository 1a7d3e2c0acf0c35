package dev.backchannel.netty.relay.store;

import dev.backchannel.api.error.QuotaExceededException;
import dev.backchannel.api.error.StateStoreException;
import java.util.Arrays;
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
 *   <li>The mailbox lifecycle is decided in one atomic step per operation:
 *       {@link #appendChecked} checks that the mailbox exists and the lock in the same step that
 *       stores the envelope, {@link #lock} and {@link #deleteMailbox(byte[], byte[])} check the
 *       owner key in the step that changes the record, so a send racing a delete is either stored
 *       before the delete (and deleted with the mailbox) or refused, never acknowledged into a
 *       mailbox that no longer exists, and a lock is never undone by a concurrent write.
 *   <li>An envelope removed by acknowledgement ({@link #removeAll}) leaves a tombstone until the
 *       given time: an append of the same message id meanwhile is reported as a duplicate and not
 *       stored again.
 * </ul>
 *
 * <p>The default methods are written in terms of the abstract ones so that decorators (a test's
 * hostile store, the demo's recording store) keep working; they are <em>not</em> atomic. A store
 * that serves a relay overrides every one of them atomically; {@code MailboxStoreContract} (test
 * sources) is the suite each implementation must pass.
 *
 * @since 0.1
 */
public interface MailboxStore extends AutoCloseable {
  /** Result of an append: the envelope's sequence and whether it was already stored. */
  record Appended(long sequence, boolean duplicate) {}

  /** Count and total body bytes of the envelopes in a mailbox. */
  record Usage(long envelopes, long bytes) {}

  /**
   * The limits one append is checked against, in the step that stores it.
   *
   * @param maxEnvelopes the mailbox's quota of envelopes
   * @param maxBytes the mailbox's quota of body bytes
   * @param maxStoreBytes the store's watermark: bytes of bodies and bundles it may hold in all
   */
  record AppendLimits(long maxEnvelopes, long maxBytes, long maxStoreBytes) {
    /** Checks that every limit is positive. */
    public AppendLimits {
      if (maxEnvelopes < 1 || maxBytes < 1 || maxStoreBytes < 1) {
        throw new IllegalArgumentException("limits must be positive");
      }
    }
  }

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

  /**
   * Appends an envelope if, in the same atomic step, the mailbox exists and either is not locked
   * or is locked to {@code provenSenderKey} (the key the caller verified the send against; null
   * when it proved none); completes once durable. A message id already stored in the mailbox, or
   * still tombstoned after its acknowledgement, completes as a duplicate without storing. Must not
   * block.
   *
   * <p>Fails with {@link StoreRefusedException} ({@code NO_SUCH_MAILBOX}, {@code LOCKED},
   * {@code STORAGE_FULL}), {@link QuotaExceededException} or {@link StateStoreException}.
   */
  default CompletableFuture<Appended> appendChecked(
      byte[] mailboxId, byte[] messageId, byte[] body, long expiresAtMillis, AppendLimits limits,
      byte[] provenSenderKey) {
    Optional<MailboxRecord> m;
    try {
      m = mailbox(mailboxId);
    } catch (StateStoreException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (m.isEmpty()) {
      return CompletableFuture.failedFuture(
          new StoreRefusedException(StoreRefusedException.Reason.NO_SUCH_MAILBOX, "no such mailbox"));
    }
    Optional<byte[]> locked = m.get().lockedSenderKey();
    if (locked.isPresent() && (provenSenderKey == null || !Arrays.equals(locked.get(), provenSenderKey))) {
      return CompletableFuture.failedFuture(
          new StoreRefusedException(StoreRefusedException.Reason.LOCKED, "mailbox is locked to another sender"));
    }
    return append(mailboxId, messageId, body, expiresAtMillis, limits.maxEnvelopes(), limits.maxBytes());
  }

  /**
   * Locks the mailbox to {@code senderKey} if, in the same step, it exists with owner
   * {@code ownerKey}; returns the record as committed, or empty if there is no such mailbox
   * (nothing is written then).
   *
   * @throws StoreRefusedException {@code OWNER_CHANGED} if the mailbox has another owner key
   * @throws StateStoreException on a storage failure
   */
  default Optional<MailboxRecord> lock(byte[] mailboxId, byte[] ownerKey, byte[] senderKey)
      throws StateStoreException, StoreRefusedException {
    Optional<MailboxRecord> m = mailbox(mailboxId);
    if (m.isEmpty()) {
      return m;
    }
    if (!Arrays.equals(m.get().ownerKey(), ownerKey)) {
      throw new StoreRefusedException(StoreRefusedException.Reason.OWNER_CHANGED, "owner key changed");
    }
    MailboxRecord locked = m.get().lockedTo(senderKey);
    updateMailbox(locked);
    return Optional.of(locked);
  }

  /**
   * Deletes the mailbox and all its envelopes if, in the same step, it exists with owner
   * {@code ownerKey}.
   *
   * @return false if there was no such mailbox (nothing is changed)
   * @throws StoreRefusedException {@code OWNER_CHANGED} if the mailbox has another owner key
   * @throws StateStoreException on a storage failure
   */
  default boolean deleteMailbox(byte[] mailboxId, byte[] ownerKey)
      throws StateStoreException, StoreRefusedException {
    Optional<MailboxRecord> m = mailbox(mailboxId);
    if (m.isEmpty()) {
      return false;
    }
    if (!Arrays.equals(m.get().ownerKey(), ownerKey)) {
      throw new StoreRefusedException(StoreRefusedException.Reason.OWNER_CHANGED, "owner key changed");
    }
    deleteMailbox(mailboxId);
    return true;
  }

  /**
   * Removes the envelopes with these message ids from one mailbox in one atomic step, leaving a
   * tombstone for each removed id until {@code tombstoneUntilMillis}; completes with how many were
   * stored, once every later read sees the removal. A store may complete before the removal is
   * durable (the embedded one does; it is made durable with the store's next sync): a removal lost
   * to a power failure only delivers its envelopes again, which their recipient drops as
   * duplicates. Must not block.
   */
  default CompletableFuture<Integer> removeAll(
      byte[] mailboxId, List<byte[]> messageIds, long tombstoneUntilMillis) {
    List<CompletableFuture<Boolean>> all = new java.util.ArrayList<>(messageIds.size());
    for (byte[] mid : messageIds) {
      all.add(remove(mailboxId, mid));
    }
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .thenApply(v -> (int) all.stream().filter(f -> Boolean.TRUE.equals(f.join())).count());
  }

  /**
   * Marks the mailbox as in use: it is deleted with everything in it if it is not touched again
   * before {@code idleExpiresAtMillis} (the relay touches it on creation and on each
   * subscription). The default keeps no such deadline. Must not block.
   */
  default CompletableFuture<Void> touch(byte[] mailboxId, long idleExpiresAtMillis) {
    return CompletableFuture.completedFuture(null);
  }

  /**
   * Tells {@code listener} of each group commit from now on, replacing the previous listener
   * ({@link CommitListener#NONE} removes it). The default tells nothing: a store that does not
   * write in batches has none to report.
   */
  default void commitListener(CommitListener listener) {
    java.util.Objects.requireNonNull(listener, "listener");
  }

  /** Bytes of envelope bodies and invitation bundles held in all, or -1 if the store does not count. */
  default long storedBytes() {
    return -1;
  }

  /** Up to {@code max} envelopes with sequence at least {@code fromSequence}, in order. */
  List<StoredEnvelope> read(byte[] mailboxId, long fromSequence, int max) throws StateStoreException;

  /**
   * Removes the envelope with {@code messageId}; completes with whether it existed, once every
   * later read sees the removal (durable or not, as {@link #removeAll}). Must not block.
   */
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
   * Deletes envelopes, invitation bundles, tombstones and idle mailboxes that expired before
   * {@code nowMillis}. A store may do it in bounded chunks so that other writes go on meanwhile.
   *
   * @return how many were deleted
   */
  int expire(long nowMillis) throws StateStoreException;

  /** Flushes and releases the store. Idempotent. */
  @Override
  void close();
}
