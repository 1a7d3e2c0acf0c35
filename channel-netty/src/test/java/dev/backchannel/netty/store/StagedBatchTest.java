package dev.backchannel.netty.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/** What a batch reads: its own staged writes first, then the database, remembered rows included. */
class StagedBatchTest {
  @TempDir Path dir;
  private Options options;
  private RocksDB db;

  @BeforeEach
  void open() throws Exception {
    RocksDB.loadLibrary();
    options = new Options().setCreateIfMissing(true);
    db = RocksDB.open(options, dir.toString());
  }

  @AfterEach
  void close() {
    db.close();
    options.close();
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aRepeatedReadIsReadOnceAndStagedWritesStillWin() throws Exception {
    db.put(b("m1"), b("committed"));
    StagedBatch batch = new StagedBatch(db, 4);
    assertThat(batch.getRepeated(b("m1"))).isEqualTo(b("committed"));
    // Nothing else writes the database during a batch; this shows the row is not read again.
    db.put(b("m1"), b("changed behind the batch"));
    assertThat(batch.getRepeated(b("m1"))).isEqualTo(b("committed"));
    assertThat(batch.get(b("m1"))).isEqualTo(b("changed behind the batch"));

    batch.put(b("m1"), b("staged"));
    assertThat(batch.getRepeated(b("m1"))).isEqualTo(b("staged"));
    batch.delete(b("m1"));
    assertThat(batch.getRepeated(b("m1"))).isNull();
    assertThat(batch.get(b("m1"))).isNull();
    assertThat(batch.head(b("m1"), 4)).isNull();
  }

  @Test
  void anAbsentRowIsRememberedAbsentUntilTheBatchWritesIt() throws Exception {
    StagedBatch batch = new StagedBatch(db, 4);
    assertThat(batch.getRepeated(b("m2"))).isNull();
    db.put(b("m2"), b("behind the batch"));
    assertThat(batch.getRepeated(b("m2"))).isNull();
    batch.put(b("m2"), b("created"));
    assertThat(batch.getRepeated(b("m2"))).isEqualTo(b("created"));
  }

  @Test
  void anEmptyValueIsARowNotADelete() throws Exception {
    db.put(b("p-gone"), b("x"));
    StagedBatch batch = new StagedBatch(db, 4);
    batch.put(b("p-empty"), new byte[0]);
    batch.delete(b("p-gone"));
    assertThat(batch.get(b("p-empty"))).isEmpty();
    assertThat(batch.head(b("p-empty"), 4).length()).isZero();
    assertThat(batch.withPrefix(b("p-"), 10)).extracting(e -> new String(e.key(), StandardCharsets.UTF_8))
        .containsExactly("p-empty");
  }

  @Test
  void writeLeavesEachKeyAsItsLastStepLeftIt() throws Exception {
    db.put(b("k-put-then-delete"), b("committed"));
    db.put(b("k-delete-then-put"), b("committed"));
    db.put(b("k-untouched"), b("committed"));
    try (org.rocksdb.WriteOptions options = new org.rocksdb.WriteOptions()) {
      StagedBatch batch = new StagedBatch(db, 4);
      batch.put(b("k-put-then-delete"), b("staged"));
      batch.delete(b("k-put-then-delete"));
      batch.delete(b("k-delete-then-put"));
      batch.put(b("k-delete-then-put"), b("again"));
      batch.put(b("k-twice"), b("first"));
      batch.put(b("k-twice"), b("second"));
      batch.put(b("k-empty"), new byte[0]);
      batch.put(new byte[] {(byte) 0xff, 1}, b("high byte")); // after every "k-" key unsigned
      batch.put(b("a-created-later"), b("new"));
      assertThat(batch.size()).isEqualTo(6);
      assertThat(db.get(b("k-twice"))).isNull(); // nothing is written before write()
      batch.write(options);
    }
    assertThat(db.get(b("k-put-then-delete"))).isNull();
    assertThat(db.get(b("k-delete-then-put"))).isEqualTo(b("again"));
    assertThat(db.get(b("k-untouched"))).isEqualTo(b("committed"));
    assertThat(db.get(b("k-twice"))).isEqualTo(b("second"));
    assertThat(db.get(b("k-empty"))).isEmpty();
    assertThat(db.get(new byte[] {(byte) 0xff, 1})).isEqualTo(b("high byte"));
    assertThat(db.get(b("a-created-later"))).isEqualTo(b("new"));
  }

  @Test
  void rowsAreOrderedAsTheDatabaseOrdersTheirKeys() {
    java.util.Random random = new java.util.Random(7);
    byte[][] prefixes = {{}, {'X', 0, 0, 1}, {'E', (byte) 0x80, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}};
    for (int i = 0; i < 20_000; i++) {
      byte[] a = key(random, prefixes[random.nextInt(prefixes.length)]);
      byte[] b = random.nextInt(4) == 0 ? java.util.Arrays.copyOf(a, random.nextInt(a.length + 2)) // a prefix of a, or a with zeros after
          : key(random, prefixes[random.nextInt(prefixes.length)]);
      assertThat(Integer.signum(StagedBatch.compareKeys(a, b)))
          .as("%s vs %s", java.util.HexFormat.of().formatHex(a), java.util.HexFormat.of().formatHex(b))
          .isEqualTo(Integer.signum(java.util.Arrays.compareUnsigned(a, b)));
    }
  }

  private static byte[] key(java.util.Random random, byte[] prefix) {
    byte[] k = java.util.Arrays.copyOf(prefix, prefix.length + random.nextInt(24));
    for (int i = prefix.length; i < k.length; i++) {
      k[i] = (byte) (random.nextInt(3) == 0 ? 0 : random.nextInt(256));
    }
    return k;
  }
}
