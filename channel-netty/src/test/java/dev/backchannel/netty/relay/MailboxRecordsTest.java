package dev.backchannel.netty.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backchannel.netty.relay.store.MailboxRecord;
import dev.backchannel.netty.store.RocksDbMailboxStore;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checklist 42 for the relay's record cache: a read racing a lock or a delete must never put the
 * old record back (that would undo the lock for sends served from the cache, or revive a deleted
 * mailbox). Before the cache was filled only from committed reads, a reader thread could refill it
 * with the record it read just before the change.
 */
class MailboxRecordsTest {
  private static final int RACES = Integer.getInteger("backchannel.storeRaces", 1_000);
  @TempDir Path dir;

  @Test
  void aReadRacingALockOrADeleteNeverLeavesTheOldRecordCached() throws Exception {
    try (RocksDbMailboxStore store = new RocksDbMailboxStore(dir)) {
      MailboxRecords records = new MailboxRecords(store);
      for (int i = 0; i < RACES; i++) {
        byte[] id = RelayTestSupport.random(32);
        byte[] owner = RelayTestSupport.random(32);
        byte[] sender = RelayTestSupport.random(32);
        store.createMailbox(new MailboxRecord(id, owner, null));
        AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
          try {
            while (!stop.get()) {
              records.get(id);
            }
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
        records.get(id); // cached, unlocked
        boolean delete = i % 2 == 1;
        records.changing(id);
        try {
          if (delete) {
            store.deleteMailbox(id, owner);
          } else {
            store.lock(id, owner, sender);
          }
        } finally {
          records.changed(id);
        }
        Thread.onSpinWait();
        stop.set(true);
        reader.get(20, TimeUnit.SECONDS);
        MailboxRecord cached = records.cached(id);
        Optional<MailboxRecord> seen = records.get(id);
        if (delete) {
          assertThat(cached).as("a deleted mailbox is not revived in the cache").isNull();
          assertThat(seen).isEmpty();
        } else {
          if (cached != null) {
            assertThat(cached.lockedSenderKey()).as("a lock is never undone by the cache").hasValue(sender);
          }
          assertThat(seen.orElseThrow().lockedSenderKey()).hasValue(sender);
        }
      }
    }
  }
}
