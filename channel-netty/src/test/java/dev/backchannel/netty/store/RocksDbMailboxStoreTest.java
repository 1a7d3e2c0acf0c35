package dev.backchannel.netty.store;

import static dev.backchannel.netty.store.TestIds.id;
import static dev.backchannel.netty.store.TestIds.mid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backchannel.api.error.QuotaExceededException;
import dev.backchannel.netty.relay.store.MailboxRecord;
import dev.backchannel.netty.relay.store.MailboxStore;
import dev.backchannel.netty.relay.store.StoredEnvelope;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RocksDbMailboxStoreTest {
  @TempDir Path dir;



  @Test
  void appendReadRemoveAndSurviveReopen() throws Exception {
    try (RocksDbMailboxStore s = new RocksDbMailboxStore(dir)) {
      assertThat(s.createMailbox(new MailboxRecord(id(1), id(9), null))).isTrue();
      assertThat(s.createMailbox(new MailboxRecord(id(1), id(8), null))).isFalse();
      List<CompletableFuture<MailboxStore.Appended>> fs = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        fs.add(s.append(id(1), mid(i), new byte[] {(byte) i, 2, 3}, Long.MAX_VALUE, 1000, 1 << 20));
      }
      for (int i = 0; i < 100; i++) {
        assertThat(fs.get(i).get().sequence()).isEqualTo(i + 1);
      }
      // Idempotent retry.
      MailboxStore.Appended again = s.append(id(1), mid(5), new byte[] {9}, Long.MAX_VALUE, 1000, 1 << 20).get();
      assertThat(again.duplicate()).isTrue();
      assertThat(again.sequence()).isEqualTo(6);
      assertThat(s.usage(id(1))).isEqualTo(new MailboxStore.Usage(100, 300));
      assertThat(s.remove(id(1), mid(0)).get()).isTrue();
      assertThat(s.remove(id(1), mid(0)).get()).isFalse();
    }
    try (RocksDbMailboxStore s = new RocksDbMailboxStore(dir)) {
      List<StoredEnvelope> all = s.read(id(1), 0, 1000);
      assertThat(all).hasSize(99);
      assertThat(all.get(0).sequence()).isEqualTo(2);
      assertThat(all.get(0).body()).containsExactly(1, 2, 3);
      assertThat(s.read(id(1), 50, 10)).extracting(StoredEnvelope::sequence)
          .containsExactly(50L, 51L, 52L, 53L, 54L, 55L, 56L, 57L, 58L, 59L);
      assertThat(s.usage(id(1))).isEqualTo(new MailboxStore.Usage(99, 297));
      // New appends continue the sequence after a restart.
      assertThat(s.append(id(1), mid(500), new byte[1], Long.MAX_VALUE, 1000, 1 << 20).get().sequence())
          .isEqualTo(101);
      assertThat(s.mailbox(id(1))).contains(new MailboxRecord(id(1), id(9), null));
    }
  }

  @Test
  void quotasAreEnforcedPerMailbox() throws Exception {
    try (RocksDbMailboxStore s = new RocksDbMailboxStore(dir)) {
      s.createMailbox(new MailboxRecord(id(1), id(9), null));
      s.createMailbox(new MailboxRecord(id(2), id(9), null));
      for (int i = 0; i < 3; i++) {
        s.append(id(1), mid(i), new byte[10], Long.MAX_VALUE, 3, 1000).get();
      }
      assertThatThrownBy(() -> s.append(id(1), mid(3), new byte[10], Long.MAX_VALUE, 3, 1000).get())
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(QuotaExceededException.class);
      assertThatThrownBy(() -> s.append(id(2), mid(0), new byte[1001], Long.MAX_VALUE, 3, 1000).get())
          .hasCauseInstanceOf(QuotaExceededException.class);
      assertThat(s.append(id(2), mid(0), new byte[10], Long.MAX_VALUE, 3, 1000).get().sequence())
          .isEqualTo(1);
    }
  }

  @Test
  void expiryLockDeleteAndInvitations() throws Exception {
    try (RocksDbMailboxStore s = new RocksDbMailboxStore(dir)) {
      s.createMailbox(new MailboxRecord(id(1), id(9), null));
      s.append(id(1), mid(1), new byte[5], 1000, 10, 1000).get();
      s.append(id(1), mid(2), new byte[5], 5000, 10, 1000).get();
      s.putInvitation(id(7), new byte[] {4, 5}, 2000);
      assertThat(s.fetchInvitation(id(7), 1500)).hasValueSatisfying(b -> assertThat(b).containsExactly(4, 5));
      assertThat(s.expire(3000)).isEqualTo(2);
      assertThat(s.fetchInvitation(id(7), 1500)).isEmpty();
      assertThat(s.read(id(1), 0, 10)).hasSize(1);
      s.updateMailbox(new MailboxRecord(id(1), id(9), id(3)));
      assertThat(s.mailbox(id(1)).orElseThrow().lockedSenderKey()).isPresent();
      s.deleteMailbox(id(1));
      assertThat(s.mailbox(id(1))).isEmpty();
      assertThat(s.read(id(1), 0, 10)).isEmpty();
      assertThat(s.usage(id(1))).isEqualTo(new MailboxStore.Usage(0, 0));
    }
  }

  @Test
  void removingALongEnvelopeReadsItsHeadAndGivesBackItsWholeLength() throws Exception {
    try (RocksDbMailboxStore s = new RocksDbMailboxStore(dir)) {
      s.createMailbox(new MailboxRecord(id(1), id(9), null));
      // Longer than the head a removal reads, both committed and staged in the same batch.
      s.append(id(1), mid(1), new byte[70_000], Long.MAX_VALUE, 10, 1 << 20).get();
      s.append(id(1), mid(2), new byte[StoreCodec.ENVELOPE_HEAD_MAX + 1], Long.MAX_VALUE, 10, 1 << 20).get();
      assertThat(s.usage(id(1))).isEqualTo(new MailboxStore.Usage(2, 70_000 + StoreCodec.ENVELOPE_HEAD_MAX + 1));
      assertThat(s.remove(id(1), mid(1)).get()).isTrue();
      assertThat(s.usage(id(1))).isEqualTo(new MailboxStore.Usage(1, StoreCodec.ENVELOPE_HEAD_MAX + 1));
      CompletableFuture<MailboxStore.Appended> staged = s.append(id(1), mid(3), new byte[1000], Long.MAX_VALUE, 10, 1 << 20);
      CompletableFuture<Boolean> removedInSameBatch = s.remove(id(1), mid(3));
      staged.get();
      removedInSameBatch.get();
      assertThat(s.remove(id(1), mid(2)).get()).isTrue();
      assertThat(s.read(id(1), 0, 10)).isEmpty();
      assertThat(s.usage(id(1))).isEqualTo(new MailboxStore.Usage(0, 0));
      // The dedupe and expiry rows went with them: the same ids are stored again as new.
      assertThat(s.append(id(1), mid(1), new byte[3], Long.MAX_VALUE, 10, 1 << 20).get().duplicate()).isFalse();
      assertThat(s.expire(Long.MAX_VALUE - 1)).isZero();
    }
  }
}
