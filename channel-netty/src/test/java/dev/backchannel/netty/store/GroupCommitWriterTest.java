package dev.backchannel.netty.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backchannel.api.error.StateStoreException;
import dev.backchannel.netty.relay.store.MailboxRecord;
import dev.backchannel.netty.relay.store.StoreRefusedException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteOptions;

/**
 * The writer's half of group commit against a real database, with a sync step the test holds:
 * nothing that needs the disk completes before the sync covering it returns (removals alone do
 * not wait), the writer writes the next batch while a sync is under way, and a failed sync fails
 * what it would have covered.
 */
class GroupCommitWriterTest {
  @TempDir Path dir;
  private StoreDatabase db;
  private WriteOptions write;
  private GroupCommitWriter writer;
  private final Semaphore syncEntered = new Semaphore(0);
  private final CountDownLatch release = new CountDownLatch(1);
  private final AtomicInteger syncs = new AtomicInteger();
  private volatile boolean failSync;

  @BeforeEach
  void open() throws Exception {
    RocksDB.loadLibrary();
    db = StoreDatabase.open(dir);
    write = new WriteOptions().setSync(false);
    WalSync sync = new WalSync(() -> {
      syncEntered.release();
      if (!release.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the test never released the sync");
      }
      if (failSync) {
        throw new java.io.IOException("sync failed (by the test)");
      }
      db.syncWal();
      syncs.incrementAndGet();
    });
    writer = new GroupCommitWriter(db, write, new UsageLedger(db), sync);
  }

  @AfterEach
  void close() {
    release.countDown();
    writer.close();
    db.close();
    write.close();
  }

  private static MailboxRecord mailbox(int n) {
    byte[] id = new byte[32];
    id[0] = (byte) n;
    return new MailboxRecord(id, new byte[32], null);
  }

  private boolean stored(MailboxRecord m) throws Exception {
    return db.read(r -> r.get(StoreKeys.key(StoreKeys.MAILBOX, m.mailboxId()))) != null;
  }

  @Test
  void nothingCompletesBeforeItsSyncAndTheWriterGoesOnMeanwhile() throws Exception {
    CompletableFuture<Boolean> first = writer.submit((b, l) -> MailboxWrites.create(b, mailbox(1)));
    assertThat(syncEntered.tryAcquire(30, TimeUnit.SECONDS)).isTrue();
    // Written (visible to reads) but not durable: not complete.
    assertThat(stored(mailbox(1))).isTrue();
    assertThat(first).isNotDone();

    // The writer is not waiting for the sync: a second batch is written while the first syncs.
    CompletableFuture<Boolean> second = writer.submit((b, l) -> MailboxWrites.create(b, mailbox(2)));
    // A refusal decided on unsynced writes is told only after the sync too.
    CompletableFuture<Optional<MailboxRecord>> refused =
        writer.submit((b, l) -> MailboxWrites.lock(b, mailbox(1).mailboxId(), new byte[] {9}, new byte[32]));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!stored(mailbox(2)) && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(stored(mailbox(2))).isTrue();
    assertThat(second).isNotDone();
    assertThat(refused).isNotDone();

    release.countDown();
    assertThat(first.get(30, TimeUnit.SECONDS)).isTrue();
    assertThat(second.get(30, TimeUnit.SECONDS)).isTrue();
    assertThatThrownBy(() -> refused.get(30, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(StoreRefusedException.class);
    // At most one sync per batch: the two later ones share one if both were written before it began.
    assertThat(syncs.get()).isBetween(1, 3);
  }

  /**
   * A batch of removals only completes once written, without waiting for a sync (a lost removal
   * is a redelivery); one that also holds a step that needs the disk waits for its sync.
   */
  @Test
  void removalsAloneDoNotWaitForTheSync() throws Exception {
    CompletableFuture<Boolean> created = writer.submit((b, l) -> MailboxWrites.create(b, mailbox(1)));
    assertThat(syncEntered.tryAcquire(30, TimeUnit.SECONDS)).isTrue(); // held from here on
    CompletableFuture<Integer> removed = writer.submitUnsynced(
        (b, l) -> MailboxWrites.removeAll(b, l, mailbox(1).mailboxId(), List.of(new byte[16]), 1));
    assertThat(removed.get(30, TimeUnit.SECONDS)).isZero();
    assertThat(created).isNotDone();
    assertThat(syncs).hasValue(0);

    release.countDown();
    assertThat(created.get(30, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aFailedSyncFailsEveryBatchItWouldHaveCovered() throws Exception {
    failSync = true;
    List<CompletableFuture<Boolean>> all = new ArrayList<>();
    all.add(writer.submit((b, l) -> MailboxWrites.create(b, mailbox(1))));
    assertThat(syncEntered.tryAcquire(30, TimeUnit.SECONDS)).isTrue();
    all.add(writer.submit((b, l) -> MailboxWrites.create(b, mailbox(2))));
    release.countDown();
    for (CompletableFuture<Boolean> f : all) {
      assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(StateStoreException.class)
          .hasRootCauseMessage("sync failed (by the test)");
    }
  }

  @Test
  void closeCompletesWhatWasWritten() throws Exception {
    CompletableFuture<Boolean> first = writer.submit((b, l) -> MailboxWrites.create(b, mailbox(1)));
    assertThat(syncEntered.tryAcquire(30, TimeUnit.SECONDS)).isTrue();
    release.countDown();
    writer.close();
    assertThat(first.get(1, TimeUnit.SECONDS)).isTrue();
    assertThat(writer.submit((b, l) -> MailboxWrites.create(b, mailbox(3))))
        .failsWithin(1, TimeUnit.SECONDS).withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(StateStoreException.class);
  }
}
