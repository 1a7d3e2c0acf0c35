package dev.backchannel.netty.store;

import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.Status;

/** Classifies RocksDB failures for the store's callers. Stateless. */
final class StoreFailures {
  private StoreFailures() {}

  /** Whether {@code e} (or a cause) says the file system is out of space. */
  static boolean isNoSpace(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof RocksDBException r) {
        Status s = r.getStatus();
        if (s != null && s.getSubCode() == Status.SubCode.NoSpace) {
          return true;
        }
      }
      String m = t.getMessage();
      if (m != null && (m.contains("No space left") || m.contains("NoSpace"))) {
        return true;
      }
    }
    return false;
  }

  /** Nothing to do by hand: RocksDB recovers from a retryable write error on its own once space is back. */
  static void tryResume(RocksDB db) {
    // Kept as the one place to add a recovery step should a RocksDB version need one.
  }
}
