package dev.backchannel.netty.store;

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

}
