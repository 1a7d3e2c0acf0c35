package dev.backchannel.netty.store;

import dev.backchannel.api.error.StateStoreException;
import dev.backchannel.netty.relay.store.MailboxRecord;
import dev.backchannel.netty.relay.store.MailboxStore;
import dev.backchannel.netty.relay.store.StoreRefusedException;
import dev.backchannel.netty.relay.store.StoredEnvelope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteOptions;

/**
 * The embedded, durable default {@link MailboxStore}: RocksDB with every write synced before it
 * is acknowledged, and group commit so that concurrent writes share one sync.
 *
 * <p>All writes go through one writer thread ({@link GroupCommitWriter}) that takes every pending
 * operation (up to {@link #MAX_BATCH}) into one batch, writes it and goes on with the next while
 * a second thread ({@link WalSync}) syncs the write-ahead log; futures complete only after the
 * sync that covers their batch has returned. Reads may see a batch before it is durable. Every
 * write step checks what it depends on (mailbox existence, owner, lock, quotas, the storage watermark) inside its batch, so the lifecycle rules
 * of {@link MailboxStore} hold atomically. A failed write fails every future of its batch with
 * {@link StateStoreException} (its message says when the disk is full) and nothing of the batch
 * is acknowledged. The pending queue is bounded ({@link #MAX_PENDING}); beyond it writes fail
 * fast with a retryable error. A write that fails for want of disk space fails with {@link
 * dev.backchannel.netty.relay.store.StorageFullException}; later writes fail the same way, without
 * touching the disk, until the file system has room again and the database has been reopened
 * ({@link StoreDatabase}), which the writer does by itself; reads go on meanwhile. Expiry walks an expiry-ordered index in bounded chunks
 * ({@link ExpirySweep}). Reads go straight to RocksDB. Key layout: docs/PROTOCOL.md, "Relay
 * storage". Thread-safe.
 *
 * @since 0.1
 */
public final class RocksDbMailboxStore implements MailboxStore {
  /** Most operations written in one batch of the group commit. */
  public static final int MAX_BATCH = GroupCommitWriter.MAX_BATCH;
  /** Most operations waiting for the writer. */
  public static final int MAX_PENDING = GroupCommitWriter.MAX_PENDING;

  static {
    RocksDB.loadLibrary();
  }

  private final StoreDatabase db;
  private final WriteOptions syncWrite;
  private final WriteOptions unsyncedWrite;
  private final UsageLedger ledger;
  private final GroupCommitWriter writer;
  private final ExpirySweep sweep;
  private volatile boolean closed;

  /**
   * Opens (creating if needed) the store in {@code directory}; a store of an older format is
   * upgraded in place on the first open.
   *
   * @throws StateStoreException if the directory cannot be created, the database opened, or its
   *     format is newer than this version's
   */
  public RocksDbMailboxStore(Path directory) throws StateStoreException {
    StoreDatabase d = null;
    WriteOptions w = new WriteOptions().setSync(true);
    try {
      Files.createDirectories(directory);
      d = StoreDatabase.open(directory);
      StoreFormat.upgrade(d.writerDb(), w);
      ledger = new UsageLedger(d);
    } catch (java.io.IOException | RocksDBException | StateStoreException e) {
      if (d != null) {
        d.close();
      }
      w.close();
      throw e instanceof StateStoreException s ? s
          : new StateStoreException("cannot open the mailbox store in " + directory, e);
    }
    db = d;
    syncWrite = w;
    unsyncedWrite = new WriteOptions().setSync(false);
    writer = new GroupCommitWriter(db, unsyncedWrite, ledger, new WalSync(db::syncWal));
    sweep = new ExpirySweep(writer);
  }

  private static StateStoreException readFailure(RocksDBException e) {
    return new StateStoreException("cannot read the mailbox store", e);
  }

  @Override
  public boolean createMailbox(MailboxRecord mailbox) throws StateStoreException {
    try {
      return writer.await((b, l) -> MailboxWrites.create(b, mailbox));
    } catch (StoreRefusedException e) {
      throw new StateStoreException("create refused", e); // create refuses nothing
    }
  }

  @Override
  public Optional<MailboxRecord> mailbox(byte[] mailboxId) throws StateStoreException {
    try {
      byte[] v = db.read(d -> d.get(StoreKeys.key(StoreKeys.MAILBOX, mailboxId)));
      return v == null ? Optional.empty() : Optional.of(StoreCodec.mailbox(mailboxId, v));
    } catch (RocksDBException e) {
      throw readFailure(e);
    }
  }

  /** Replaces the record of an existing mailbox; does nothing if it does not exist (no revival). */
  @Override
  public void updateMailbox(MailboxRecord mailbox) throws StateStoreException {
    try {
      writer.await((b, l) -> MailboxWrites.update(b, mailbox));
    } catch (StoreRefusedException e) {
      throw new StateStoreException("update refused", e);
    }
  }

  @Override
  public Optional<MailboxRecord> lock(byte[] mailboxId, byte[] ownerKey, byte[] senderKey)
      throws StateStoreException, StoreRefusedException {
    byte[] id = mailboxId.clone();
    byte[] owner = ownerKey.clone();
    byte[] sender = senderKey.clone();
    return writer.await((b, l) -> MailboxWrites.lock(b, id, owner, sender));
  }

  @Override
  public void deleteMailbox(byte[] mailboxId) throws StateStoreException {
    byte[] id = mailboxId.clone();
    try {
      writer.await((b, l) -> MailboxWrites.delete(b, l, id, null));
    } catch (StoreRefusedException e) {
      throw new StateStoreException("delete refused", e);
    }
  }

  @Override
  public boolean deleteMailbox(byte[] mailboxId, byte[] ownerKey)
      throws StateStoreException, StoreRefusedException {
    byte[] id = mailboxId.clone();
    byte[] owner = ownerKey.clone();
    return writer.await((b, l) -> MailboxWrites.delete(b, l, id, owner));
  }

  /**
   * Appends to an existing mailbox without a lock check (the caller checked) and without a
   * storage watermark; the relay uses {@link #appendChecked}.
   */
  @Override
  public CompletableFuture<Appended> append(
      byte[] mailboxId, byte[] messageId, byte[] body, long expiresAtMillis, long maxEnvelopes,
      long maxBytes) {
    return append(mailboxId, messageId, body, expiresAtMillis,
        new AppendLimits(maxEnvelopes, maxBytes, Long.MAX_VALUE), null, false);
  }

  @Override
  public CompletableFuture<Appended> appendChecked(
      byte[] mailboxId, byte[] messageId, byte[] body, long expiresAtMillis, AppendLimits limits,
      byte[] provenSenderKey) {
    return append(mailboxId, messageId, body, expiresAtMillis, limits, provenSenderKey, true);
  }

  private CompletableFuture<Appended> append(byte[] mailboxId, byte[] messageId, byte[] body,
      long expiresAtMillis, AppendLimits limits, byte[] provenSenderKey, boolean checkLock) {
    byte[] id = mailboxId.clone();
    byte[] mid = messageId.clone();
    byte[] bytes = body.clone();
    byte[] proven = provenSenderKey == null ? null : provenSenderKey.clone();
    return writer.submit((b, l) -> MailboxWrites.append(b, l, id, mid, bytes, expiresAtMillis,
        limits, proven, checkLock, System.currentTimeMillis()));
  }

  @Override
  public List<StoredEnvelope> read(byte[] mailboxId, long fromSequence, int max) throws StateStoreException {
    List<StoredEnvelope> out = new ArrayList<>();
    byte[] prefix = StoreKeys.key(StoreKeys.ENVELOPE, mailboxId);
    try {
      return db.read(d -> {
        try (BoundedIterator bounded = BoundedIterator.withPrefix(d, prefix)) {
          RocksIterator it = bounded.it();
          for (it.seek(StoreKeys.key(StoreKeys.ENVELOPE, mailboxId, StoreKeys.u64(fromSequence)));
              it.isValid() && out.size() < max; // the bound ends the range at the prefix's end
              it.next()) {
            out.add(StoreCodec.envelope(StoreKeys.u64(it.key(), prefix.length), it.value()));
          }
        }
        return out;
      });
    } catch (RocksDBException e) {
      throw readFailure(e);
    }
  }

  @Override
  public CompletableFuture<Boolean> remove(byte[] mailboxId, byte[] messageId) {
    byte[] id = mailboxId.clone();
    byte[] mid = messageId.clone();
    return writer.submitUnsynced((b, l) -> MailboxWrites.remove(b, l, id, mid, 0));
  }

  @Override
  public CompletableFuture<Integer> removeAll(
      byte[] mailboxId, List<byte[]> messageIds, long tombstoneUntilMillis) {
    byte[] id = mailboxId.clone();
    List<byte[]> mids = messageIds.stream().map(byte[]::clone).toList();
    return writer.submitUnsynced((b, l) -> MailboxWrites.removeAll(b, l, id, mids, tombstoneUntilMillis));
  }

  @Override
  public CompletableFuture<Void> touch(byte[] mailboxId, long idleExpiresAtMillis) {
    byte[] id = mailboxId.clone();
    return writer.submit((b, l) -> {
      MailboxWrites.touch(b, id, idleExpiresAtMillis);
      return null;
    });
  }

  /** Tells {@code listener} of each batch of the group-commit writer. */
  @Override
  public void commitListener(dev.backchannel.netty.relay.store.CommitListener listener) {
    writer.listener(listener);
  }

  @Override
  public long storedBytes() {
    return ledger.storedBytes();
  }

  @Override
  public Usage usage(byte[] mailboxId) throws StateStoreException {
    try {
      byte[] v = db.read(d -> d.get(StoreKeys.key(StoreKeys.USAGE, mailboxId)));
      return v == null ? new Usage(0, 0) : new Usage(StoreKeys.u64(v, 8), StoreKeys.u64(v, 16));
    } catch (RocksDBException e) {
      throw readFailure(e);
    }
  }

  @Override
  public void putInvitation(byte[] invitationId, byte[] bundle, long expiresAtMillis)
      throws StateStoreException {
    byte[] id = invitationId.clone();
    byte[] b = bundle.clone();
    try {
      writer.await((batch, l) -> {
        MailboxWrites.putInvitation(batch, l, id, b, expiresAtMillis);
        return Boolean.TRUE;
      });
    } catch (StoreRefusedException e) {
      throw new StateStoreException("invitation refused", e);
    }
  }

  @Override
  public Optional<byte[]> fetchInvitation(byte[] invitationId, long nowMillis)
      throws StateStoreException {
    try {
      byte[] v = db.read(d -> d.get(StoreKeys.key(StoreKeys.INVITATION, invitationId)));
      if (v == null || StoreKeys.u64(v, 0) <= nowMillis) {
        return Optional.empty();
      }
      return Optional.of(Arrays.copyOfRange(v, 8, v.length));
    } catch (RocksDBException e) {
      throw readFailure(e);
    }
  }

  @Override
  public int expire(long nowMillis) throws StateStoreException {
    return sweep.run(nowMillis);
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    writer.close();
    db.close();
    syncWrite.close();
    unsyncedWrite.close();
  }

  @Override
  public String toString() {
    return "RocksDbMailboxStore[pending=" + writer.pending() + "]";
  }
}
