package dev.backchannel.netty.store;

import dev.backchannel.api.error.StateStoreException;
import java.util.Arrays;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * Brings an older store to the current layout (docs/PROTOCOL.md, "Relay storage") once, when it is
 * opened, before the writer starts. Version 0.1 (no format marker) gets its expiry index and
 * store-wide ledger (format 2); format 2 has its dedupe ({@code 'D'}) and tombstone ({@code 'T'})
 * rows folded into message rows ({@code 'R'}, format 3). Each step writes synced batches of at
 * most {@value #BATCH} rows and its marker last; a step cut short by a crash is taken up again on
 * the next open, so the upgrade is idempotent.
 */
final class StoreFormat {
  static final byte CURRENT = 3;
  private static final int BATCH = 10_000;

  private StoreFormat() {}

  /**
   * Upgrades the store in place.
   *
   * @throws StateStoreException if the store was written by a newer version (its format is unknown)
   */
  static void upgrade(RocksDB db, WriteOptions sync) throws RocksDBException, StateStoreException {
    byte[] marker = db.get(StoreKeys.FORMAT);
    int format = marker == null || marker.length != 1 ? 1 : marker[0];
    if (format > CURRENT) {
      throw new StateStoreException("the mailbox store has format " + format
          + ", newer than this version's " + CURRENT);
    }
    if (format < 2) {
      indexAndLedger(db, sync);
    }
    if (format < 3) {
      messageRows(db, sync);
    }
  }

  /** Synced batches of at most {@link #BATCH} rows. */
  private static final class Batches implements AutoCloseable {
    private final RocksDB db;
    private final WriteOptions sync;
    private WriteBatch batch = new WriteBatch();
    private int rows;

    Batches(RocksDB db, WriteOptions sync) {
      this.db = db;
      this.sync = sync;
    }

    WriteBatch batch() {
      return batch;
    }

    /** Counts one upgraded row; writes the batch when it is full. */
    void row() throws RocksDBException {
      if (++rows % BATCH == 0) {
        write();
      }
    }

    void write() throws RocksDBException {
      db.write(sync, batch);
      batch.close();
      batch = new WriteBatch();
    }

    @Override
    public void close() {
      batch.close();
    }
  }

  /** 0.1 → 2: an expiry index entry for every envelope and bundle, and the ledger total. */
  private static void indexAndLedger(RocksDB db, WriteOptions sync) throws RocksDBException {
    long total = 0;
    try (Batches out = new Batches(db, sync); RocksIterator it = db.newIterator()) {
      for (it.seek(new byte[] {StoreKeys.ENVELOPE}); it.isValid() && it.key()[0] == StoreKeys.ENVELOPE; it.next()) {
        out.batch().put(StoreKeys.expiryKey(StoreCodec.envelopeExpiry(it.value()), it.key()), new byte[0]);
        total += StoreCodec.envelopeBodyLength(it.value());
        out.row();
      }
      for (it.seek(new byte[] {StoreKeys.INVITATION}); it.isValid() && it.key()[0] == StoreKeys.INVITATION; it.next()) {
        out.batch().put(StoreKeys.expiryKey(StoreKeys.u64(it.value(), 0), it.key()), new byte[0]);
        total += it.value().length - 8;
        out.row();
      }
      out.batch().put(StoreKeys.GLOBAL, StoreKeys.u64(total));
      out.batch().put(StoreKeys.FORMAT, new byte[] {2});
      out.write();
    }
  }

  /**
   * 2 → 3: each tombstone becomes an acknowledged message row (its index entry moves with it), then
   * each dedupe row a stored one, with its envelope's expiry and body length. Tombstones go first:
   * a message id with both (resent after its tombstone ended, before the sweep) is stored.
   */
  private static void messageRows(RocksDB db, WriteOptions sync) throws RocksDBException {
    try (Batches out = new Batches(db, sync)) {
      try (RocksIterator it = db.newIterator()) {
        for (it.seek(new byte[] {StoreKeys.LEGACY_TOMBSTONE}); it.isValid()
            && it.key()[0] == StoreKeys.LEGACY_TOMBSTONE; it.next()) {
          byte[] k = it.key();
          byte[] v = it.value();
          byte[] messageKey = messageKey(k);
          long until = StoreKeys.u64(v, 0);
          out.batch().put(messageKey, MessageRow.acknowledged(StoreKeys.u64(v, 8), until).encode());
          out.batch().delete(StoreKeys.expiryKey(until, k));
          out.batch().put(StoreKeys.expiryKey(until, messageKey), new byte[0]);
          out.batch().delete(k);
          out.row();
        }
      }
      out.write(); // every tombstone is converted before a dedupe row may overwrite one
      try (RocksIterator it = db.newIterator()) {
        for (it.seek(new byte[] {StoreKeys.LEGACY_DEDUPE}); it.isValid()
            && it.key()[0] == StoreKeys.LEGACY_DEDUPE; it.next()) {
          byte[] k = it.key();
          byte[] seq = Arrays.copyOf(it.value(), 8);
          byte[] mailboxId = Arrays.copyOfRange(k, 1, 1 + StoreKeys.ID_LENGTH);
          byte[] envelope = db.get(StoreKeys.key(StoreKeys.ENVELOPE, mailboxId, seq));
          if (envelope != null) { // a dedupe row without its envelope is dropped
            out.batch().put(messageKey(k), MessageRow.stored(StoreKeys.u64(seq, 0),
                StoreCodec.envelopeExpiry(envelope), StoreCodec.envelopeBodyLength(envelope)).encode());
          }
          out.batch().delete(k);
          out.row();
        }
      }
      out.batch().put(StoreKeys.FORMAT, new byte[] {CURRENT});
      out.write();
    }
  }

  /** {@code 'R' || mailbox_id || message_id} for a format-2 row {@code prefix || mailbox_id || message_id}. */
  private static byte[] messageKey(byte[] legacyKey) {
    byte[] k = legacyKey.clone();
    k[0] = StoreKeys.MESSAGE;
    return k;
  }
}
