package dev.backchannel.netty.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * One group-commit unit of the writer: what its steps stage, so that a later step of the same
 * batch reads what an earlier one wrote (staged writes win over the database). Rows read with
 * {@link #getRepeated} are also remembered for the rest of the batch: the writer is the database's
 * only writer, so a committed row cannot change under a batch, and a row it stages is found among
 * the staged first. {@link #write} writes each staged key once, with the value the batch leaves it,
 * in key order, so that the memtable inserts each row near the one before. Used by the writer
 * thread only, for one write; it holds no native resource.
 */
final class StagedBatch {
  /** A staged delete (compared by identity: an empty value a caller puts is another array). */
  private static final byte[] DELETED = new byte[0];
  private final RocksDB db;
  private final Map<Key, byte[]> staged;
  /** Committed rows read by {@link #getRepeated} in this batch; {@link #DELETED} for absent ones. */
  private final Map<Key, byte[]> remembered = new HashMap<>();

  /** @param steps how many steps the batch will hold: an append or removal stages about 6 rows */
  StagedBatch(RocksDB db, int steps) {
    this.db = db;
    this.staged = new HashMap<>(Math.min(1 << 16, Math.max(16, steps * 8)));
  }

  /**
   * A byte-array map key, its hash computed once: a batch looks each key up several times (staged,
   * remembered, then staged again when written).
   */
  static final class Key {
    private final byte[] bytes;
    private final int hash;

    Key(byte[] bytes) {
      this.bytes = bytes;
      this.hash = Arrays.hashCode(bytes);
    }

    byte[] bytes() {
      return bytes;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && hash == k.hash && Arrays.equals(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
      return hash;
    }

    @Override
    public String toString() {
      return "Key[" + bytes.length + " bytes]";
    }
  }

  /** A key and its value as the batch so far would leave them. */
  record Entry(byte[] key, byte[] value) {}

  /**
   * Writes every staged row in one {@link WriteBatch}, in unsigned byte order of the keys (the
   * database's comparator). The order changes no outcome, since each key is staged once with the
   * value its last step left it; it lets the memtable's skip list insert each row near the one
   * before instead of searching from its top (the expiry index rows of a batch, for one, all fall
   * in a narrow range).
   *
   * @throws RocksDBException if the write fails; nothing of the batch is then written
   */
  void write(WriteOptions options) throws RocksDBException {
    Row[] rows = new Row[staged.size()];
    int n = 0;
    for (Map.Entry<Key, byte[]> e : staged.entrySet()) {
      rows[n++] = new Row(e.getKey().bytes, e.getValue());
    }
    Arrays.sort(rows, Row.ORDER);
    try (WriteBatch batch = new WriteBatch()) {
      for (Row r : rows) {
        if (r.value == DELETED) {
          batch.delete(r.key);
        } else {
          batch.put(r.key, r.value);
        }
      }
      db.write(options, batch);
    }
  }

  /** The order {@link #write} writes rows in, for two keys: unsigned byte order. */
  static int compareKeys(byte[] a, byte[] b) {
    return Row.ORDER.compare(new Row(a, null), new Row(b, null));
  }

  /**
   * A staged row with its key's first sixteen bytes as two unsigned words, so that most
   * comparisons of the sort are two comparisons of longs.
   */
  private static final class Row {
    static final Comparator<Row> ORDER = (x, y) -> {
      int c = Long.compareUnsigned(x.head, y.head);
      if (c == 0) {
        c = Long.compareUnsigned(x.next, y.next);
      }
      return c != 0 ? c : Arrays.compareUnsigned(x.key, y.key);
    };
    final long head;
    final long next;
    final byte[] key;
    final byte[] value;

    Row(byte[] key, byte[] value) {
      this.head = word(key, 0);
      this.next = word(key, 8);
      this.key = key;
      this.value = value;
    }

    /** Bytes {@code from .. from + 7} of {@code key}, big-endian, zero past its end. */
    private static long word(byte[] key, int from) {
      long w = 0;
      for (int i = from; i < from + 8; i++) {
        w = w << 8 | (i < key.length ? key[i] & 0xff : 0);
      }
      return w;
    }
  }

  /** How many rows the batch has staged (each written once). */
  int size() {
    return staged.size();
  }

  /** {@code key}'s value as the batch so far would leave it (null if absent). */
  byte[] get(byte[] key) throws RocksDBException {
    byte[] v = staged.get(new Key(key));
    if (v != null) {
      return v == DELETED ? null : v;
    }
    return db.get(key);
  }

  /**
   * As {@link #get}, for a row that many steps of one batch read (a mailbox's record, read by
   * every send to it): the committed value is read from the database once per batch.
   */
  byte[] getRepeated(byte[] key) throws RocksDBException {
    Key k = new Key(key);
    byte[] v = staged.get(k);
    if (v == null) {
      v = remembered.get(k);
      if (v == null) {
        byte[] read = db.get(key);
        v = read == null ? DELETED : read;
        remembered.put(k, v);
      }
    }
    return v == DELETED ? null : v;
  }

  /** The start of a value and its whole length. */
  record Head(byte[] prefix, int length) {}

  /**
   * The first {@code n} bytes of {@code key}'s value (all of it if shorter) and its length, as the
   * batch so far would leave it; null if absent. Copies no more of a long value than {@code n}.
   */
  Head head(byte[] key, int n) throws RocksDBException {
    byte[] v = staged.get(new Key(key));
    if (v != null) {
      return v == DELETED ? null : new Head(Arrays.copyOf(v, Math.min(n, v.length)), v.length);
    }
    byte[] prefix = new byte[n];
    int length = db.get(key, prefix);
    if (length == RocksDB.NOT_FOUND) {
      return null;
    }
    return new Head(length < n ? Arrays.copyOf(prefix, length) : prefix, length);
  }

  void put(byte[] key, byte[] value) {
    staged.put(new Key(key), value);
  }

  void delete(byte[] key) {
    staged.put(new Key(key), DELETED);
  }

  /**
   * Every entry whose key starts with {@code prefix}, as the batch so far would leave them (rows
   * written earlier in this batch included, rows it deleted excluded), at most {@code max}.
   */
  List<Entry> withPrefix(byte[] prefix, int max) {
    List<Entry> out = new ArrayList<>();
    try (BoundedIterator bounded = BoundedIterator.withPrefix(db, prefix)) {
      RocksIterator it = bounded.it();
      for (it.seek(prefix); it.isValid() && out.size() < max; it.next()) { // bounded to the prefix
        Key k = new Key(it.key());
        if (!staged.containsKey(k)) {
          out.add(new Entry(k.bytes(), it.value()));
        }
      }
    }
    for (Map.Entry<Key, byte[]> e : staged.entrySet()) {
      if (out.size() >= max) {
        break;
      }
      if (e.getValue() != DELETED && StoreKeys.startsWith(e.getKey().bytes(), prefix)) {
        out.add(new Entry(e.getKey().bytes(), e.getValue()));
      }
    }
    return out;
  }

  /** Keys in the database in {@code [from, to)}, at most {@code max} (the caller re-reads staged values). */
  List<byte[]> committedKeys(byte[] from, byte[] to, int max) {
    List<byte[]> out = new ArrayList<>();
    try (BoundedIterator bounded = BoundedIterator.below(db, to)) {
      RocksIterator it = bounded.it();
      for (it.seek(from); it.isValid() && out.size() < max; it.next()) { // bounded below to
        out.add(it.key());
      }
    }
    return out;
  }
}
