package dev.backchannel.netty.store;

import static dev.backchannel.netty.store.TestIds.id;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.PerfLevel;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;

/** Prefix bounds, and that a bounded iterator does not walk the deletions beyond its range. */
class BoundedIteratorTest {
  @TempDir Path dir;

  @Test
  void theEndOfAPrefixIsTheLeastKeyAboveIt() {
    assertThat(BoundedIterator.prefixEnd(new byte[] {1, 2})).containsExactly(1, 3);
    assertThat(BoundedIterator.prefixEnd(new byte[] {1, (byte) 0xff})).containsExactly(2);
    assertThat(BoundedIterator.prefixEnd(new byte[] {(byte) 0xff, (byte) 0xff})).isNull();
  }

  @Test
  void aReadOfOneMailboxDoesNotWalkTheDeletedEnvelopesOfTheNext() throws Exception {
    RocksDB.loadLibrary();
    byte[] mine = StoreKeys.key(StoreKeys.ENVELOPE, id(1));
    try (Options o = new Options().setCreateIfMissing(true); RocksDB db = RocksDB.open(o, dir.toString())) {
      db.put(StoreKeys.key(StoreKeys.ENVELOPE, id(1), StoreKeys.u64(7)), new byte[] {1});
      for (int i = 0; i < 5_000; i++) { // the next mailbox's envelopes, delivered and acknowledged
        byte[] k = StoreKeys.key(StoreKeys.ENVELOPE, id(2), StoreKeys.u64(i));
        db.put(k, new byte[] {2});
        db.delete(k);
      }
      db.put(StoreKeys.key(StoreKeys.ENVELOPE, id(3), StoreKeys.u64(1)), new byte[] {3});
      db.setPerfLevel(PerfLevel.ENABLE_COUNT);
      try {
        db.getPerfContext().reset();
        int seen = 0;
        try (BoundedIterator bounded = BoundedIterator.withPrefix(db, mine)) {
          RocksIterator it = bounded.it();
          for (it.seek(mine); it.isValid(); it.next()) {
            seen++;
          }
        }
        assertThat(seen).isEqualTo(1);
        assertThat(db.getPerfContext().getInternalDeleteSkippedCount()).as("deletions walked").isLessThan(10);

        db.getPerfContext().reset();
        try (RocksIterator it = db.newIterator()) { // the same read without the bound, for contrast
          for (it.seek(mine); it.isValid() && StoreKeys.startsWith(it.key(), mine); it.next()) {
            seen++;
          }
        }
        assertThat(db.getPerfContext().getInternalDeleteSkippedCount()).isGreaterThanOrEqualTo(5_000);
      } finally {
        db.setPerfLevel(PerfLevel.DISABLE);
      }
    }
  }

}
