package dev.backchannel.netty.store;

import java.util.HashMap;
import java.util.Map;
import org.rocksdb.RocksDBException;

/**
 * The store's accounting, owned by the writer thread: per mailbox the next sequence, its
 * envelopes and body bytes ({@code 'S'} rows), and store-wide the bytes of bodies and bundles held
 * ({@code 'G'}). Changes are staged into the batch once per row at its end ({@link #flush}); if the batch's write fails, {@link #rollBack}
 * restores the values of before it. {@link #storedBytes()} may be read from any thread.
 */
final class UsageLedger {
  /** One mailbox's counters (mutable, writer thread only). */
  static final class Usage {
    long nextSequence;
    long envelopes;
    long bytes;

    Usage(long nextSequence, long envelopes, long bytes) {
      this.nextSequence = nextSequence;
      this.envelopes = envelopes;
      this.bytes = bytes;
    }

    Usage copy() {
      return new Usage(nextSequence, envelopes, bytes);
    }
  }

  private final StoreDatabase db;
  private final Map<StagedBatch.Key, Usage> cache = new HashMap<>();
  /** Mailboxes whose counters changed in this batch: written once, by {@link #flush}. */
  private final Map<StagedBatch.Key, Usage> dirty = new HashMap<>();
  private boolean totalDirty;
  private Map<StagedBatch.Key, Usage> before;
  private long total;
  private long totalBefore;
  private volatile long committedTotal;

  UsageLedger(StoreDatabase db) throws RocksDBException {
    this.db = db;
    byte[] g = db.writerDb().get(StoreKeys.GLOBAL);
    total = g == null ? 0 : StoreKeys.u64(g, 0);
    committedTotal = total;
  }

  /**
   * Called by the writer after the database was reopened: a write reported as failed may have
   * reached the WAL after all and been replayed, so every counter is read again.
   */
  void reload() throws RocksDBException {
    cache.clear();
    dirty.clear();
    before = null;
    byte[] g = db.writerDb().get(StoreKeys.GLOBAL);
    total = g == null ? 0 : StoreKeys.u64(g, 0);
    totalBefore = total;
    committedTotal = total;
  }

  /** Called by the writer before a batch. */
  void begin() {
    dirty.clear();
    totalDirty = false;
    before = new HashMap<>();
    totalBefore = total;
  }

  /** Called by the writer after the batch is durable. */
  void commit() {
    before = null;
    committedTotal = total;
  }

  /** Called by the writer when the batch's write failed: nothing of it counts. */
  void rollBack() {
    if (before != null) {
      before.forEach((k, u) -> {
        if (u == null) {
          cache.remove(k);
        } else {
          cache.put(k, u);
        }
      });
    }
    before = null;
    total = totalBefore;
  }

  /** The mailbox's counters, to change and then {@link #write}. */
  Usage of(byte[] mailboxId) throws RocksDBException {
    StagedBatch.Key k = new StagedBatch.Key(mailboxId.clone());
    Usage u = cache.get(k);
    if (u == null) {
      byte[] v = db.writerDb().get(StoreKeys.key(StoreKeys.USAGE, mailboxId));
      u = v == null ? new Usage(1, 0, 0)
          : new Usage(StoreKeys.u64(v, 0), StoreKeys.u64(v, 8), StoreKeys.u64(v, 16));
      cache.put(k, u);
    }
    if (before != null && !before.containsKey(k)) {
      before.put(k, u.copy());
    }
    return u;
  }

  void write(StagedBatch b, byte[] mailboxId, Usage u) {
    dirty.put(new StagedBatch.Key(mailboxId.clone()), u);
  }

  /** Stages the batch's changed counters, each row once (called by the writer before the write). */
  void flush(StagedBatch b) throws RocksDBException {
    for (Map.Entry<StagedBatch.Key, Usage> e : dirty.entrySet()) {
      Usage u = e.getValue();
      b.put(StoreKeys.key(StoreKeys.USAGE, e.getKey().bytes()), java.nio.ByteBuffer.allocate(24)
          .putLong(u.nextSequence).putLong(u.envelopes).putLong(u.bytes).array());
    }
    if (totalDirty) {
      b.put(StoreKeys.GLOBAL, StoreKeys.u64(total));
    }
    dirty.clear();
    totalDirty = false;
  }

  /** Forgets a deleted mailbox's counters and stages the removal of its row. */
  void forget(StagedBatch b, byte[] mailboxId) throws RocksDBException {
    StagedBatch.Key k = new StagedBatch.Key(mailboxId.clone());
    // A fresh count, as the absent row reads: a mailbox re-created later in the same batch starts over.
    Usage u = cache.put(k, new Usage(1, 0, 0));
    dirty.remove(k);
    if (before != null && !before.containsKey(k)) {
      before.put(k, u == null ? null : u.copy());
    }
    b.delete(StoreKeys.key(StoreKeys.USAGE, mailboxId));
  }

  /** Bytes held store-wide, as this batch so far leaves them. */
  long total() {
    return total;
  }

  /** Adds {@code delta} bytes to the store-wide total (negative when freed). */
  void addTotal(StagedBatch b, long delta) throws RocksDBException {
    total = Math.max(0, total + delta);
    totalDirty = true;
  }

  /** Bytes held store-wide as last committed; any thread. */
  long storedBytes() {
    return committedTotal;
  }
}
