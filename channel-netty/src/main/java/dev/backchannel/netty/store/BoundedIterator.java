package dev.backchannel.netty.store;

import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;

/**
 * A RocksDB iterator that cannot step past an upper bound ({@code iterate_upper_bound}). Without
 * one, the step after a range's last live key walks every deletion tombstone that follows it until
 * the next live key: after many envelopes were acknowledged (deleted), a read of one mailbox's
 * new envelopes, or one chunk of the expiry index, would walk all of them each time. Closes the
 * iterator, its options and its bound together. Not thread-safe.
 */
final class BoundedIterator implements AutoCloseable {
  private final Slice bound;
  private final ReadOptions options;
  private final RocksIterator iterator;

  private BoundedIterator(RocksDB db, byte[] upperExclusive) {
    bound = upperExclusive == null ? null : new Slice(upperExclusive);
    options = new ReadOptions();
    if (bound != null) {
      options.setIterateUpperBound(bound);
    }
    iterator = db.newIterator(options);
  }

  /** An iterator over keys below {@code upperExclusive} (no bound if null). */
  static BoundedIterator below(RocksDB db, byte[] upperExclusive) {
    return new BoundedIterator(db, upperExclusive);
  }

  /** An iterator over keys that start with {@code prefix}. */
  static BoundedIterator withPrefix(RocksDB db, byte[] prefix) {
    return new BoundedIterator(db, prefixEnd(prefix));
  }

  /** The least key above every key that starts with {@code prefix}; null if there is none. */
  static byte[] prefixEnd(byte[] prefix) {
    for (int i = prefix.length - 1; i >= 0; i--) {
      if (prefix[i] != (byte) 0xff) {
        byte[] end = java.util.Arrays.copyOf(prefix, i + 1);
        end[i]++;
        return end;
      }
    }
    return null;
  }

  RocksIterator it() {
    return iterator;
  }

  @Override
  public void close() {
    iterator.close();
    options.close();
    if (bound != null) {
      bound.close();
    }
  }
}
