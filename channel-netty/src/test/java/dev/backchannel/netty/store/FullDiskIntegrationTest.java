package dev.backchannel.netty.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backchannel.netty.relay.store.MailboxRecord;
import dev.backchannel.netty.relay.store.MailboxStore;
import dev.backchannel.netty.relay.store.StorageFullException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checklist 36 with a real full file system under RocksDB: a 16 MiB tmpfs (needs root and
 * permission to mount; skipped otherwise) filled with 64 KiB envelopes. Sends past the end get the
 * typed {@link StorageFullException} (the relay answers {@code STORAGE_FULL}), every acknowledged
 * envelope stays readable, and once space is freed and the store reopened, every acknowledged
 * envelope is there, acknowledgements delete and sends are accepted again.
 *
 * <p>RocksDB stops writing after a failed WAL write and (rocksdbjni has no {@code Resume()}) only
 * a reopen clears that; until then removals fail too. The relay's storage watermark
 * ({@code RelayLimits.maxStoreBytes}, below the disk's size) is what keeps a relay from getting here.
 */
class FullDiskIntegrationTest {
  @TempDir Path dir;
  private Path disk;
  private boolean mounted;

  @BeforeEach
  void mount() throws Exception {
    disk = dir.resolve("disk");
    Files.createDirectories(disk);
    int rc;
    try {
      rc = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", disk.toString())
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    } catch (java.io.IOException e) {
      rc = -1;
    }
    Assumptions.assumeTrue(rc == 0, "mounting a tmpfs is not permitted here (needs root and CAP_SYS_ADMIN)");
    mounted = true;
  }

  @AfterEach
  void unmount() throws Exception {
    if (mounted) {
      new ProcessBuilder("umount", disk.toString()).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(20, TimeUnit.SECONDS);
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
          refused++;
        }
      }
      assertThat(refused).isEqualTo(5);
      assertThat(acknowledged).hasSizeGreaterThan(10);
      assertThat(s.read(id, 0, 10_000)).as("reads go on").hasSize(acknowledged.size());
    }
    Files.delete(ballast); // space is freed
    try (RocksDbMailboxStore s = new RocksDbMailboxStore(storeDir)) {
      assertThat(s.read(id, 0, 10_000)).as("nothing acknowledged is lost").hasSize(acknowledged.size());
      int half = acknowledged.size() / 2;
      assertThat(s.removeAll(id, acknowledged.subList(0, half), 0).get(60, TimeUnit.SECONDS)).isEqualTo(half);
      assertThat(s.appendChecked(id, new byte[16], new byte[1024], Long.MAX_VALUE, limits, null)
          .get(60, TimeUnit.SECONDS).duplicate()).as("sends are accepted again").isFalse();
      assertThat(s.read(id, 0, 10_000)).hasSize(acknowledged.size() - half + 1);
    }
  }
}
