package dev.backchannel.netty.store;

import static dev.backchannel.netty.store.TestIds.id;
import static dev.backchannel.netty.store.TestIds.mid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backchannel.api.error.StateStoreException;
import dev.backchannel.netty.relay.store.MailboxStore;
import dev.backchannel.netty.relay.store.StoredEnvelope;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;

/**
 * The store's row formats by their bytes, and the upgrade of a format-2 store (dedupe and
 * tombstone rows) written here row by row, as that version wrote it, to message rows.
 */
class StoreFormatTest {
  private static final long FUTURE = 4_000_000_000_000L;
  private static final long PAST = 1_000L;
  @TempDir Path dir;



  @Test
  void messageRowsHaveTheirDocumentedBytes() {
    assertThat(HexFormat.of().formatHex(MessageRow.stored(5, 0x0102030405060708L, 1024).encode()))
        .isEqualTo("01" + "0000000000000005" + "0102030405060708" + "00000400");
    assertThat(HexFormat.of().formatHex(MessageRow.acknowledged(7, 0x1122334455667788L).encode()))
        .isEqualTo("02" + "0000000000000007" + "1122334455667788" + "00000000");
    MessageRow r = MessageRow.stored(9, 10, 11);
    assertThat(MessageRow.decode(r.encode())).isEqualTo(r);
    assertThatThrownBy(() -> MessageRow.decode(new byte[20])).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> MessageRow.decode(new byte[21])).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aStoreWritesMessageRowsAndNoDedupeOrTombstoneRows() throws Exception {
    try (RocksDbMailboxStore s = new RocksDbMailboxStore(dir)) {
      s.createMailbox(new dev.backchannel.netty.relay.store.MailboxRecord(id(1), id(9), null));
      s.append(id(1), mid(1), new byte[100], FUTURE, 10, 1 << 20).get();
      s.append(id(1), mid(2), new byte[50], FUTURE, 10, 1 << 20).get();
      assertThat(s.removeAll(id(1), List.of(mid(2)), FUTURE + 5).get()).isEqualTo(1);
    }
    try (Options o = new Options(); RocksDB db = RocksDB.open(o, dir.toString())) {
      assertThat(db.get(StoreKeys.FORMAT)).containsExactly(3);
      assertThat(db.get(StoreKeys.key(StoreKeys.MESSAGE, id(1), mid(1))))
          .isEqualTo(MessageRow.stored(1, FUTURE, 100).encode());
      byte[] ackedKey = StoreKeys.key(StoreKeys.MESSAGE, id(1), mid(2));
      assertThat(db.get(ackedKey)).isEqualTo(MessageRow.acknowledged(2, FUTURE + 5).encode());
      assertThat(db.get(StoreKeys.expiryKey(FUTURE + 5, ackedKey))).isEmpty();
      assertThat(db.get(StoreKeys.expiryKey(FUTURE, StoreKeys.key(StoreKeys.ENVELOPE, id(1), StoreKeys.u64(2)))))
          .isNull();
      assertThat(keysWithPrefix(db, StoreKeys.LEGACY_DEDUPE)).isEmpty();
      assertThat(keysWithPrefix(db, StoreKeys.LEGACY_TOMBSTONE)).isEmpty();
    }
  }

  @Test
  void aFormatTwoStoreIsUpgradedToMessageRowsOnOpen() throws Exception {
    byte[] box = id(1);
    try (Options o = new Options().setCreateIfMissing(true); RocksDB db = RocksDB.open(o, dir.toString())) {
      db.put(StoreKeys.key(StoreKeys.MAILBOX, box), ByteBuffer.allocate(33).put(id(9)).put((byte) 0).array());
      // Stored: mid 1 at sequence 1 (100 bytes) and mid 2 at sequence 2 (40 bytes).
      legacyEnvelope(db, box, 1, mid(1), 100);
      legacyEnvelope(db, box, 2, mid(2), 40);
      db.put(StoreKeys.key(StoreKeys.USAGE, box), ByteBuffer.allocate(24).putLong(3).putLong(2).putLong(140).array());
      db.put(StoreKeys.GLOBAL, StoreKeys.u64(140));
      // Acknowledged: mid 3 (sequence 0, until the future) and mid 4 (until long ago, not swept yet).
      legacyTombstone(db, box, mid(3), FUTURE, 0);
      legacyTombstone(db, box, mid(4), PAST, 0);
      // Both rows: mid 2 was resent after a tombstone that ended, before the sweep.
      legacyTombstone(db, box, mid(2), PAST, 0);
      db.put(StoreKeys.FORMAT, new byte[] {2});
    }
    try (RocksDbMailboxStore s = new RocksDbMailboxStore(dir)) {
      assertThat(s.append(box, mid(1), new byte[1], FUTURE, 10, 1 << 20).get())
          .isEqualTo(new MailboxStore.Appended(1, true));
      assertThat(s.append(box, mid(3), new byte[1], FUTURE, 10, 1 << 20).get())
          .isEqualTo(new MailboxStore.Appended(0, true));
      assertThat(s.usage(box)).isEqualTo(new MailboxStore.Usage(2, 140));
      // The removal takes its length from the message row: the ledger stays exact.
      assertThat(s.removeAll(box, List.of(mid(2)), FUTURE).get()).isEqualTo(1);
      assertThat(s.usage(box)).isEqualTo(new MailboxStore.Usage(1, 100));
      assertThat(s.storedBytes()).isEqualTo(100);
      assertThat(s.read(box, 0, 10)).extracting(StoredEnvelope::sequence).containsExactly(1L);
      // The expired tombstone's entry moved with it: the sweep removes it, and mid 4 is new again.
      s.expire(PAST + 1);
      assertThat(s.append(box, mid(4), new byte[1], FUTURE, 10, 1 << 20).get())
          .isEqualTo(new MailboxStore.Appended(3, false));
    }
    try (Options o = new Options(); RocksDB db = RocksDB.open(o, dir.toString())) {
      assertThat(db.get(StoreKeys.FORMAT)).containsExactly(3);
      assertThat(keysWithPrefix(db, StoreKeys.LEGACY_DEDUPE)).isEmpty();
      assertThat(keysWithPrefix(db, StoreKeys.LEGACY_TOMBSTONE)).isEmpty();
      byte[] k3 = StoreKeys.key(StoreKeys.MESSAGE, box, mid(3));
      assertThat(db.get(k3)).isEqualTo(MessageRow.acknowledged(0, FUTURE).encode());
      assertThat(db.get(StoreKeys.expiryKey(FUTURE, k3))).isEmpty();
      assertThat(db.get(StoreKeys.expiryKey(FUTURE, StoreKeys.key(StoreKeys.LEGACY_TOMBSTONE, box, mid(3)))))
          .isNull();
    }
  }

  @Test
  void aStoreOfANewerFormatIsRefusedAndLeftAlone() throws Exception {
    try (Options o = new Options().setCreateIfMissing(true); RocksDB db = RocksDB.open(o, dir.toString())) {
      db.put(StoreKeys.FORMAT, new byte[] {4});
    }
    assertThatThrownBy(() -> new RocksDbMailboxStore(dir)).isInstanceOf(StateStoreException.class)
        .hasMessageContaining("format 4");
    try (Options o = new Options(); RocksDB db = RocksDB.open(o, dir.toString())) {
      assertThat(db.get(StoreKeys.FORMAT)).containsExactly(4);
    }
  }

  /** An envelope with its format-2 dedupe row and index entry. */
  private static void legacyEnvelope(RocksDB db, byte[] box, long seq, byte[] mid, int length) throws Exception {
    byte[] k = StoreKeys.key(StoreKeys.ENVELOPE, box, StoreKeys.u64(seq));
    db.put(k, StoreCodec.envelope(mid, FUTURE, new byte[length]));
    db.put(StoreKeys.expiryKey(FUTURE, k), new byte[0]);
    db.put(StoreKeys.key(StoreKeys.LEGACY_DEDUPE, box, mid), StoreKeys.u64(seq));
  }

  /** A format-2 tombstone ({@code u64 until_ms || u64 sequence}) and its index entry. */
  private static void legacyTombstone(RocksDB db, byte[] box, byte[] mid, long until, long seq) throws Exception {
    byte[] k = StoreKeys.key(StoreKeys.LEGACY_TOMBSTONE, box, mid);
    db.put(k, ByteBuffer.allocate(16).putLong(until).putLong(seq).array());
    db.put(StoreKeys.expiryKey(until, k), new byte[0]);
  }

  private static List<byte[]> keysWithPrefix(RocksDB db, byte prefix) {
    List<byte[]> out = new ArrayList<>();
    try (RocksIterator it = db.newIterator()) {
      for (it.seek(new byte[] {prefix}); it.isValid() && it.key()[0] == prefix; it.next()) {
        out.add(it.key());
      }
    }
    return out;
  }
}
