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
    try (StagedBatch batch = new StagedBatch(db, 4)) {
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
  }

  @Test
  void anAbsentRowIsRememberedAbsentUntilTheBatchWritesIt() throws Exception {
    try (StagedBatch batch = new StagedBatch(db, 4)) {
      assertThat(batch.getRepeated(b("m2"))).isNull();
      db.put(b("m2"), b("behind the batch"));
      assertThat(batch.getRepeated(b("m2"))).isNull();
      batch.put(b("m2"), b("created"));
      assertThat(batch.getRepeated(b("m2"))).isEqualTo(b("created"));
    }
  }

  @Test
  void anEmptyValueIsARowNotADelete() throws Exception {
    db.put(b("p-gone"), b("x"));
    try (StagedBatch batch = new StagedBatch(db, 4)) {
      batch.put(b("p-empty"), new byte[0]);
      batch.delete(b("p-gone"));
      assertThat(batch.get(b("p-empty"))).isEmpty();
      assertThat(batch.head(b("p-empty"), 4).length()).isZero();
      assertThat(batch.withPrefix(b("p-"), 10)).extracting(e -> new String(e.key(), StandardCharsets.UTF_8))
          .containsExactly("p-empty");
    }
  }
}
