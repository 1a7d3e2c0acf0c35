package dev.backchannel.netty.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backchannel.netty.relay.store.MailboxRecord;
import dev.backchannel.netty.relay.store.MailboxStore;
import dev.backchannel.netty.relay.store.StorageFullException;
import dev.backchannel.netty.relay.store.StoredEnvelope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checklist 36 with a real full file system under RocksDB: a 16 MiB tmpfs (needs root and
 * permission to mount; skipped otherwise) filled with 64 KiB envelopes. Sends past the end get the
 * typed {@link StorageFullException} (the relay answers {@code STORAGE_FULL}), every acknowledged
 * envelope stays readable, and once space is freed the same open store accepts sends again (it
 * reopens its database by itself); after a reopen by hand too every acknowledged envelope is
 * there, acknowledgements delete and sends are accepted.
 *
 * <p>RocksDB stops writing after a failed WAL write and only a reopen clears that; until then
 * removals fail too. The relay's storage watermark
 * ({@code RelayLimits.maxStoreBytes}, below the disk's size) is what keeps a relay from getting here.
 */
class FullDiskIntegrationTest {
  @TempDir Path dir;
  private Tmpfs tmpfs;
  private Path disk;

  @BeforeEach
  void mount() throws Exception {
    tmpfs = Tmpfs.mount(dir.resolve("disk"), 16);
    disk = tmpfs.path();
  }

  @AfterEach
  void unmount() throws Exception {
    if (tmpfs != null) {
      tmpfs.close();
    }
  }

  @Test
  void aFullDiskRefusesSendsTypedLosesNothingAcknowledgedAndRecoversWhenSpaceIsFreed() throws Exception {
    Path ballast = disk.resolve("ballast");
    Files.write(ballast, new byte[4 << 20]); // stands for whatever else fills the disk
    Path storeDir = disk.resolve("store");
    byte[] id = new byte[32];
    var limits = new MailboxStore.AppendLimits(1_000_000, 1L << 40, Long.MAX_VALUE);
    List<byte[]> acknowledged = new ArrayList<>();
    List<byte[]> refusedIds = new ArrayList<>();
    int refused = 0;
    try (RocksDbMailboxStore s = new RocksDbMailboxStore(storeDir)) {
      s.createMailbox(new MailboxRecord(id, new byte[32], null));
      for (int i = 0; i < 1_000 && refused < 5; i++) {
        byte[] mid = new byte[16];
        mid[0] = (byte) i;
        mid[1] = (byte) (i >> 8);
        try {
          s.appendChecked(id, mid, new byte[64 * 1024], Long.MAX_VALUE, limits, null).get(60, TimeUnit.SECONDS);
          acknowledged.add(mid);
        } catch (ExecutionException e) {
          assertThat(e.getCause()).as("a full disk is a typed refusal").isInstanceOf(StorageFullException.class);
          refusedIds.add(mid);
          refused++;
        }
      }
      assertThat(refused).isEqualTo(5);
      assertThat(acknowledged).hasSizeGreaterThan(10);
      assertThat(s.read(id, 0, 10_000)).as("reads go on").hasSize(acknowledged.size());
      Files.delete(ballast); // space is freed: the open store takes writes again by itself
      byte[] after = new byte[16];
      after[15] = 1;
      assertThat(appendWithin(s, id, after, limits, 30_000)).as("sends are accepted again").isTrue();
      acknowledged.add(after);
      assertStored(s.read(id, 0, 10_000), acknowledged, refusedIds);
      byte[] next = new byte[16];
      next[15] = 2;
      assertThat(s.appendChecked(id, next, new byte[1024], Long.MAX_VALUE, limits, null)
          .get(60, TimeUnit.SECONDS).duplicate()).isFalse();
      acknowledged.add(next);
      assertStored(s.read(id, 0, 10_000), acknowledged, refusedIds);
    }
    try (RocksDbMailboxStore s = new RocksDbMailboxStore(storeDir)) {
      List<StoredEnvelope> stored = s.read(id, 0, 10_000);
      assertStored(stored, acknowledged, refusedIds);
      int half = acknowledged.size() / 2;
      assertThat(s.removeAll(id, acknowledged.subList(0, half), 0).get(60, TimeUnit.SECONDS)).isEqualTo(half);
      assertThat(s.appendChecked(id, new byte[16], new byte[1024], Long.MAX_VALUE, limits, null)
          .get(60, TimeUnit.SECONDS).duplicate()).as("sends are accepted again").isFalse();
      assertThat(s.read(id, 0, 10_000)).hasSize(stored.size() - half + 1);
    }
  }

  /**
   * Every acknowledged envelope is stored, once, in increasing sequence; anything else stored is a
   * send that was refused (a write RocksDB reported failed may still reach its log and be replayed
   * on reopening; its sender retries it under the same id, which the store recognizes).
   */
  static void assertStored(List<StoredEnvelope> stored, List<byte[]> acknowledged, List<byte[]> refused) {
    List<String> ids = stored.stream().map(e -> java.util.HexFormat.of().formatHex(e.messageId())).toList();
    List<String> acked = acknowledged.stream().map(java.util.HexFormat.of()::formatHex).toList();
    List<String> maybe = refused.stream().map(java.util.HexFormat.of()::formatHex).toList();
    assertThat(ids).as("nothing acknowledged is lost").containsAll(acked).doesNotHaveDuplicates();
    assertThat(ids).as("nothing stored that was not sent").allMatch(i -> acked.contains(i) || maybe.contains(i));
    for (int i = 1; i < stored.size(); i++) {
      assertThat(stored.get(i).sequence()).isGreaterThan(stored.get(i - 1).sequence());
    }
  }

  /** Appends until the store accepts it or {@code millis} pass; whether it was accepted. */
  static boolean appendWithin(RocksDbMailboxStore s, byte[] id, byte[] messageId,
      MailboxStore.AppendLimits limits, long millis) throws Exception {
    long until = System.currentTimeMillis() + millis;
    while (true) {
      try {
        s.appendChecked(id, messageId, new byte[1024], Long.MAX_VALUE, limits, null).get(60, TimeUnit.SECONDS);
        return true;
      } catch (ExecutionException e) {
        assertThat(e.getCause()).isInstanceOf(StorageFullException.class);
        if (System.currentTimeMillis() > until) {
          return false;
        }
        Thread.sleep(200);
      }
    }
  }
}
