package dev.backchannel.netty.store;

import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * Brings a store written by version 0.1 (no expiry index, no store-wide ledger) to the current
 * layout once, when it is opened, before the writer starts: writes an index entry for every
 * envelope and bundle, the ledger total, then the format marker. Idempotent.
 */
final class StoreFormat {
  static final byte CURRENT = 2;
  private static final int BATCH = 10_000;

  private StoreFormat() {}

  static void upgrade(RocksDB db, WriteOptions sync) throws RocksDBException {
    byte[] marker = db.get(StoreKeys.FORMAT);
    if (marker != null && marker.length == 1 && marker[0] >= CURRENT) {
      return;
    }
    long total = 0;
    WriteBatch batch = new WriteBatch();
    try (RocksIterator it = db.newIterator()) {
      int n = 0;
      for (it.seek(new byte[] {StoreKeys.ENVELOPE}); it.isValid() && it.key()[0] == StoreKeys.ENVELOPE; it.next()) {
        batch.put(StoreKeys.expiryKey(StoreCodec.envelopeExpiry(it.value()), it.key()), new byte[0]);
        total += StoreCodec.envelopeBodyLength(it.value());
        if (++n % BATCH == 0) {
          db.write(sync, batch);
          batch.close();
          batch = new WriteBatch();
        }
      }
      for (it.seek(new byte[] {StoreKeys.INVITATION}); it.isValid() && it.key()[0] == StoreKeys.INVITATION; it.next()) {
        batch.put(StoreKeys.expiryKey(StoreKeys.u64(it.value(), 0), it.key()), new byte[0]);
        total += it.value().length - 8;
      }
      batch.put(StoreKeys.GLOBAL, StoreKeys.u64(total));
      batch.put(StoreKeys.FORMAT, new byte[] {CURRENT});
      db.write(sync, batch);
    } finally {
      batch.close();
    }
  }
}
