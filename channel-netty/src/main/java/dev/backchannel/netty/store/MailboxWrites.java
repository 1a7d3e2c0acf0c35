package dev.backchannel.netty.store;

import static dev.backchannel.netty.store.StoreKeys.key;

import dev.backchannel.api.error.QuotaExceededException;
import dev.backchannel.netty.relay.store.MailboxRecord;
import dev.backchannel.netty.relay.store.MailboxStore.AppendLimits;
import dev.backchannel.netty.relay.store.MailboxStore.Appended;
import dev.backchannel.netty.relay.store.StoreRefusedException;
import dev.backchannel.netty.relay.store.StoreRefusedException.Reason;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.rocksdb.RocksDBException;

/**
 * The mailbox store's write steps. Each runs on the writer thread inside one group-commit batch,
 * reads what the batch so far leaves (so a step sees every earlier step of its batch), checks
 * everything it depends on — existence, owner, lock, quota, watermark — and only then stages its
 * writes: a refused step writes nothing. Stateless.
 */
final class MailboxWrites {
  /** Most mailbox rows one delete step walks (a mailbox holds at most its quota of envelopes). */
  static final int MAX_ROWS_PER_DELETE = 1 << 24;

  private MailboxWrites() {}

  static boolean create(StagedBatch b, MailboxRecord m) throws RocksDBException {
    byte[] k = key(StoreKeys.MAILBOX, m.mailboxId());
    if (b.get(k) != null) {
      return false;
    }
    b.put(k, StoreCodec.mailbox(m));
    return true;
  }

  private static MailboxRecord existing(StagedBatch b, byte[] id) throws RocksDBException {
    byte[] v = b.getRepeated(key(StoreKeys.MAILBOX, id)); // read by every send of the batch to it
    return v == null ? null : StoreCodec.mailbox(id, v);
  }

  static Appended append(StagedBatch b, UsageLedger ledger, byte[] id, byte[] mid, byte[] body,
      long expiresAtMillis, AppendLimits limits, byte[] provenSender, boolean checkLock, long nowMillis)
      throws RocksDBException, StoreRefusedException, QuotaExceededException {
    MailboxRecord m = existing(b, id);
    if (m == null) {
      throw new StoreRefusedException(Reason.NO_SUCH_MAILBOX, "no such mailbox");
    }
    Optional<byte[]> locked = m.lockedSenderKey();
    if (checkLock && locked.isPresent()
        && (provenSender == null || !Arrays.equals(locked.get(), provenSender))) {
      throw new StoreRefusedException(Reason.LOCKED, "mailbox is locked to another sender");
    }
    byte[] messageKey = key(StoreKeys.MESSAGE, id, mid);
    byte[] row = b.get(messageKey);
    if (row != null) {
      MessageRow r = MessageRow.decode(row);
      if (r.duplicateAt(nowMillis)) { // still stored, or acknowledged within the tombstone lifetime
        return new Appended(r.sequence(), true);
      }
    }
    UsageLedger.Usage u = ledger.of(id);
    if (u.envelopes + 1 > limits.maxEnvelopes() || u.bytes + body.length > limits.maxBytes()) {
      throw new QuotaExceededException("mailbox holds " + u.envelopes + " envelopes / " + u.bytes
          + " bytes; quota " + limits.maxEnvelopes() + " / " + limits.maxBytes());
    }
    if (ledger.total() + body.length > limits.maxStoreBytes()) {
      throw new StoreRefusedException(Reason.STORAGE_FULL, "relay storage is full");
    }
    long seq = u.nextSequence++;
    u.envelopes++;
    u.bytes += body.length;
    byte[] envelopeKey = key(StoreKeys.ENVELOPE, id, StoreKeys.u64(seq));
    b.put(envelopeKey, StoreCodec.envelope(mid, expiresAtMillis, body));
    b.put(messageKey, MessageRow.stored(seq, expiresAtMillis, body.length).encode());
    b.put(StoreKeys.expiryKey(expiresAtMillis, envelopeKey), new byte[0]);
    ledger.write(b, id, u);
    ledger.addTotal(b, body.length);
    return new Appended(seq, false);
  }

  /**
   * Removes one stored envelope by message id, reading only its message row; tombstones it until
   * {@code tombstoneUntil} if that is positive.
   */
  static boolean remove(StagedBatch b, UsageLedger ledger, byte[] id, byte[] mid, long tombstoneUntil)
      throws RocksDBException {
    byte[] messageKey = key(StoreKeys.MESSAGE, id, mid);
    byte[] row = b.get(messageKey);
    if (row == null) {
      return false;
    }
    MessageRow r = MessageRow.decode(row);
    if (!r.stored()) {
      return false;
    }
    byte[] envelopeKey = key(StoreKeys.ENVELOPE, id, StoreKeys.u64(r.sequence()));
    b.delete(envelopeKey);
    b.delete(StoreKeys.expiryKey(r.timeMillis(), envelopeKey));
    if (tombstoneUntil > 0) {
      b.put(messageKey, MessageRow.acknowledged(r.sequence(), tombstoneUntil).encode());
      b.put(StoreKeys.expiryKey(tombstoneUntil, messageKey), new byte[0]);
    } else {
      b.delete(messageKey);
    }
    release(b, ledger, id, r.bodyLength());
    return true;
  }

  /**
   * Removes the envelope at {@code seq} (8 bytes) with its message and index rows and its usage,
   * reading only the envelope's head (expiry removes envelopes by sequence).
   */
  static boolean removeEnvelope(StagedBatch b, UsageLedger ledger, byte[] id, byte[] seq)
      throws RocksDBException {
    byte[] envelopeKey = key(StoreKeys.ENVELOPE, id, seq);
    // The message id, expiry and length are all a removal needs: the body is not read.
    StagedBatch.Head head = b.head(envelopeKey, StoreCodec.ENVELOPE_HEAD_MAX);
    if (head == null) {
      return false;
    }
    byte[] value = head.prefix();
    b.delete(envelopeKey);
    b.delete(key(StoreKeys.MESSAGE, id, StoreCodec.envelopeMessageId(value)));
    b.delete(StoreKeys.expiryKey(StoreCodec.envelopeExpiry(value), envelopeKey));
    release(b, ledger, id, StoreCodec.envelopeBodyLength(value, head.length()));
    return true;
  }

  /** Takes one removed envelope of {@code bodyLength} bytes off the mailbox's and the store's usage. */
  private static void release(StagedBatch b, UsageLedger ledger, byte[] id, int bodyLength)
      throws RocksDBException {
    UsageLedger.Usage u = ledger.of(id);
    u.envelopes--;
    u.bytes -= bodyLength;
    ledger.write(b, id, u);
    ledger.addTotal(b, -bodyLength);
  }

  static Optional<MailboxRecord> lock(StagedBatch b, byte[] id, byte[] owner, byte[] sender)
      throws RocksDBException, StoreRefusedException {
    MailboxRecord m = existing(b, id);
    if (m == null) {
      return Optional.empty();
    }
    if (!Arrays.equals(m.ownerKey(), owner)) {
      throw new StoreRefusedException(Reason.OWNER_CHANGED, "owner key changed");
    }
    MailboxRecord locked = m.lockedTo(sender);
    b.put(key(StoreKeys.MAILBOX, id), StoreCodec.mailbox(locked));
    return Optional.of(locked);
  }

  /** Replaces the record of an existing mailbox; a deleted mailbox is not revived. */
  static boolean update(StagedBatch b, MailboxRecord m) throws RocksDBException {
    if (existing(b, m.mailboxId()) == null) {
      return false;
    }
    b.put(key(StoreKeys.MAILBOX, m.mailboxId()), StoreCodec.mailbox(m));
    return true;
  }

  static boolean delete(StagedBatch b, UsageLedger ledger, byte[] id, byte[] owner)
      throws RocksDBException, StoreRefusedException {
    MailboxRecord m = existing(b, id);
    if (m == null) {
      return false;
    }
    if (owner != null && !Arrays.equals(m.ownerKey(), owner)) {
      throw new StoreRefusedException(Reason.OWNER_CHANGED, "owner key changed");
    }
    deleteAll(b, ledger, id);
    return true;
  }

  /** Deletes the mailbox with its envelopes, message rows, idle deadline and their index rows. */
  static void deleteAll(StagedBatch b, UsageLedger ledger, byte[] id) throws RocksDBException {
    b.delete(key(StoreKeys.MAILBOX, id));
    for (StagedBatch.Entry e : b.withPrefix(key(StoreKeys.ENVELOPE, id), MAX_ROWS_PER_DELETE)) {
      b.delete(e.key());
      b.delete(StoreKeys.expiryKey(StoreCodec.envelopeExpiry(e.value()), e.key()));
      ledger.addTotal(b, -StoreCodec.envelopeBodyLength(e.value()));
    }
    for (StagedBatch.Entry e : b.withPrefix(key(StoreKeys.MESSAGE, id), MAX_ROWS_PER_DELETE)) {
      b.delete(e.key());
      MessageRow r = MessageRow.decode(e.value());
      if (!r.stored()) { // a stored envelope's index row went with its envelope above
        b.delete(StoreKeys.expiryKey(r.timeMillis(), e.key()));
      }
    }
    byte[] idleKey = key(StoreKeys.IDLE, id);
    byte[] idle = b.get(idleKey);
    if (idle != null) {
      b.delete(idleKey);
      b.delete(StoreKeys.expiryKey(StoreKeys.u64(idle, 0), idleKey));
    }
    ledger.forget(b, id);
  }

  static boolean touch(StagedBatch b, byte[] id, long idleUntil) throws RocksDBException {
    if (existing(b, id) == null) {
      return false;
    }
    byte[] idleKey = key(StoreKeys.IDLE, id);
    byte[] old = b.get(idleKey);
    if (old != null) {
      b.delete(StoreKeys.expiryKey(StoreKeys.u64(old, 0), idleKey));
    }
    b.put(idleKey, StoreKeys.u64(idleUntil));
    b.put(StoreKeys.expiryKey(idleUntil, idleKey), new byte[0]);
    return true;
  }

  static void putInvitation(StagedBatch b, UsageLedger ledger, byte[] invitationId, byte[] bundle,
      long expiresAtMillis) throws RocksDBException {
    byte[] k = key(StoreKeys.INVITATION, invitationId);
    byte[] old = b.get(k);
    if (old != null) {
      b.delete(StoreKeys.expiryKey(StoreKeys.u64(old, 0), k));
      ledger.addTotal(b, -(old.length - 8));
    }
    b.put(k, StoreCodec.invitation(bundle, expiresAtMillis));
    b.put(StoreKeys.expiryKey(expiresAtMillis, k), new byte[0]);
    ledger.addTotal(b, bundle.length);
  }

  static boolean removeInvitation(StagedBatch b, UsageLedger ledger, byte[] k) throws RocksDBException {
    byte[] v = b.get(k);
    if (v == null) {
      return false;
    }
    b.delete(k);
    b.delete(StoreKeys.expiryKey(StoreKeys.u64(v, 0), k));
    ledger.addTotal(b, -(v.length - 8));
    return true;
  }

  /** Removes the listed envelopes of one mailbox; returns how many were stored. */
  static int removeAll(StagedBatch b, UsageLedger ledger, byte[] id, List<byte[]> mids, long tombstoneUntil)
      throws RocksDBException {
    int n = 0;
    for (byte[] mid : mids) {
      if (remove(b, ledger, id, mid, tombstoneUntil)) {
        n++;
      }
    }
    return n;
  }
}
