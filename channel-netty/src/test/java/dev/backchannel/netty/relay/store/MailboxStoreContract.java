package dev.backchannel.netty.relay.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backchannel.api.error.QuotaExceededException;
import dev.backchannel.netty.relay.store.MailboxStore.AppendLimits;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract every {@link MailboxStore} that serves a relay must pass, independent of how it
 * stores: a subclass names the store ({@link #open}) and inherits every test. Lifecycle races
 * (send against delete, lock against a concurrent write) run {@link #RACES} times.
 */
public abstract class MailboxStoreContract {
  /** Rounds of each race; {@code -Dbackchannel.storeRaces=10000} for the checklist's full count. */
  protected static final int RACES = Integer.getInteger("backchannel.storeRaces", 1_000);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final AppendLimits ROOMY = new AppendLimits(1_000, 1 << 20, Long.MAX_VALUE);

  @TempDir protected Path dir;
  protected MailboxStore store;

  /** Opens the store under test, fresh or as left by an earlier open of {@code directory}. */
  protected abstract MailboxStore open(Path directory) throws Exception;

  @BeforeEach
  void openStore() throws Exception {
    store = open(dir);
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  protected static byte[] random(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  private byte[] created(byte[] owner) throws Exception {
    byte[] id = random(32);
    assertThat(store.createMailbox(new MailboxRecord(id, owner, null))).isTrue();
    return id;
  }

  private static Throwable failure(CompletableFuture<?> f) {
    try {
      f.get(20, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure");
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static StoreRefusedException.Reason refusal(CompletableFuture<?> f) {
    Throwable t = failure(f);
    assertThat(t).isInstanceOf(StoreRefusedException.class);
    return ((StoreRefusedException) t).reason();
  }

  @Test
  void createIsOnceAndSequencesCountUpInOrder() throws Exception {
    byte[] owner = random(32);
    byte[] id = created(owner);
    assertThat(store.createMailbox(new MailboxRecord(id, random(32), null))).isFalse();
    assertThat(store.mailbox(id).orElseThrow().ownerKey()).isEqualTo(owner);
    List<CompletableFuture<MailboxStore.Appended>> fs = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      fs.add(store.appendChecked(id, random(16), new byte[] {(byte) i}, Long.MAX_VALUE, ROOMY, null));
    }
    long first = fs.get(0).get().sequence();
    for (int i = 0; i < 50; i++) {
      assertThat(fs.get(i).get().sequence()).isEqualTo(first + i);
    }
    List<StoredEnvelope> read = store.read(id, 0, 100);
    assertThat(read).hasSize(50);
    assertThat(read.get(7).body()).containsExactly(7);
  }

  @Test
  void aRetriedSendIsADuplicateAndAnAcknowledgedOneStaysOneWhileTombstoned() throws Exception {
    byte[] id = created(random(32));
    byte[] mid = random(16);
    MailboxStore.Appended a = store.appendChecked(id, mid, new byte[] {1}, Long.MAX_VALUE, ROOMY, null).get();
    assertThat(store.appendChecked(id, mid, new byte[] {1}, Long.MAX_VALUE, ROOMY, null).get())
        .isEqualTo(new MailboxStore.Appended(a.sequence(), true));
    long now = System.currentTimeMillis();
    assertThat(store.removeAll(id, List.of(mid), now + 60_000).get()).isEqualTo(1);
    MailboxStore.Appended resent = store.appendChecked(id, mid, new byte[] {1}, Long.MAX_VALUE, ROOMY, null).get();
    assertThat(resent.duplicate()).as("a resend after the acknowledgement is recognised").isTrue();
    assertThat(store.read(id, 0, 10)).isEmpty();
    // Once the tombstone expires, the id is new again.
    byte[] other = random(16);
    store.appendChecked(id, other, new byte[] {2}, Long.MAX_VALUE, ROOMY, null).get();
    store.removeAll(id, List.of(other), now + 1).get();
    store.expire(now + 2);
    assertThat(store.appendChecked(id, other, new byte[] {2}, Long.MAX_VALUE, ROOMY, null).get().duplicate()).isFalse();
  }

  @Test
  void quotasAndTheWatermarkAreTypedRefusalsThatStoreNothing() throws Exception {
    byte[] id = created(random(32));
    AppendLimits two = new AppendLimits(2, 1 << 20, Long.MAX_VALUE);
    store.appendChecked(id, random(16), new byte[10], Long.MAX_VALUE, two, null).get();
    store.appendChecked(id, random(16), new byte[10], Long.MAX_VALUE, two, null).get();
    assertThat(failure(store.appendChecked(id, random(16), new byte[10], Long.MAX_VALUE, two, null)))
        .isInstanceOf(QuotaExceededException.class);
    long held = store.storedBytes();
    if (held >= 0) {
      assertThat(held).isEqualTo(20);
      AppendLimits watermark = new AppendLimits(100, 1 << 20, 1024 + held);
      assertThat(refusal(store.appendChecked(id, random(16), new byte[1025], Long.MAX_VALUE, watermark, null)))
          .isEqualTo(StoreRefusedException.Reason.STORAGE_FULL);
      assertThat(store.storedBytes()).isEqualTo(held);
    }
    assertThat(store.usage(id)).isEqualTo(new MailboxStore.Usage(2, 20));
  }

  @Test
  void aLockedMailboxTakesOnlyItsProvenSender() throws Exception {
    byte[] owner = random(32);
    byte[] id = created(owner);
    byte[] sender = random(32);
    assertThatThrownBy(() -> store.lock(id, random(32), sender)).isInstanceOf(StoreRefusedException.class);
    assertThat(store.lock(id, owner, sender).orElseThrow().lockedSenderKey()).hasValue(sender);
    assertThat(refusal(store.appendChecked(id, random(16), new byte[] {1}, Long.MAX_VALUE, ROOMY, null)))
        .isEqualTo(StoreRefusedException.Reason.LOCKED);
    assertThat(refusal(store.appendChecked(id, random(16), new byte[] {1}, Long.MAX_VALUE, ROOMY, random(32))))
        .isEqualTo(StoreRefusedException.Reason.LOCKED);
    assertThat(store.appendChecked(id, random(16), new byte[] {1}, Long.MAX_VALUE, ROOMY, sender).get().duplicate()).isFalse();
    assertThat(store.lock(random(32), owner, sender)).isEmpty();
  }

  @Test
  void aDeletedMailboxTakesNothingAndKeepsNothing() throws Exception {
    byte[] owner = random(32);
    byte[] id = created(owner);
    long heldBefore = store.storedBytes();
    store.appendChecked(id, random(16), new byte[100], Long.MAX_VALUE, ROOMY, null).get();
    assertThatThrownBy(() -> store.deleteMailbox(id, random(32))).isInstanceOf(StoreRefusedException.class);
    assertThat(store.deleteMailbox(id, owner)).isTrue();
    assertThat(store.deleteMailbox(id, owner)).isFalse();
    assertThat(refusal(store.appendChecked(id, random(16), new byte[] {1}, Long.MAX_VALUE, ROOMY, null)))
        .isEqualTo(StoreRefusedException.Reason.NO_SUCH_MAILBOX);
    assertThat(store.mailbox(id)).isEmpty();
    assertThat(store.read(id, 0, 10)).isEmpty();
    assertThat(store.usage(id)).isEqualTo(new MailboxStore.Usage(0, 0));
    assertThat(store.storedBytes()).isEqualTo(heldBefore);
  }

  /** Checklist 42: a send racing the deletion of its mailbox is stored and deleted, or refused; no orphan row. */
  @Test
  void aSendRacingADeleteIsNeverLeftInADeletedMailbox() throws Exception {
    long heldBefore = store.storedBytes();
    int stored = 0;
    int refused = 0;
    for (int i = 0; i < RACES; i++) {
      byte[] owner = random(32);
      byte[] id = created(owner);
      CompletableFuture<MailboxStore.Appended> send =
          store.appendChecked(id, random(16), new byte[64], Long.MAX_VALUE, ROOMY, null);
      CompletableFuture<Boolean> delete = CompletableFuture.supplyAsync(() -> {
        try {
          return store.deleteMailbox(id, owner);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      CompletableFuture<MailboxStore.Appended> late =
          store.appendChecked(id, random(16), new byte[64], Long.MAX_VALUE, ROOMY, null);
      assertThat(delete.get(20, TimeUnit.SECONDS)).isTrue();
      for (CompletableFuture<MailboxStore.Appended> f : List.of(send, late)) {
        try {
          f.get(20, TimeUnit.SECONDS);
          stored++;
        } catch (ExecutionException e) {
          assertThat(e.getCause()).isInstanceOf(StoreRefusedException.class);
          refused++;
        }
      }
      assertThat(refusal(store.appendChecked(id, random(16), new byte[1], Long.MAX_VALUE, ROOMY, null)))
          .as("after the delete is acknowledged, no send is").isEqualTo(StoreRefusedException.Reason.NO_SUCH_MAILBOX);
      assertThat(store.read(id, 0, 10)).as("no envelope outlives its mailbox").isEmpty();
      assertThat(store.usage(id)).isEqualTo(new MailboxStore.Usage(0, 0));
    }
    assertThat(store.storedBytes()).isEqualTo(heldBefore);
    System.out.printf("send vs delete, %d races: %d sends stored before the delete, %d refused%n", RACES, stored, refused);
  }

  /** Checklist 42: a lock racing concurrent sends and reads is never undone. */
  @Test
  void aLockRacingSendsIsNeverUndone() throws Exception {
    for (int i = 0; i < RACES / 4; i++) {
      byte[] owner = random(32);
      byte[] id = created(owner);
      byte[] sender = random(32);
      CompletableFuture<MailboxStore.Appended> before =
          store.appendChecked(id, random(16), new byte[8], Long.MAX_VALUE, ROOMY, null);
      assertThat(store.lock(id, owner, sender)).isPresent();
      before.exceptionally(e -> null).get(20, TimeUnit.SECONDS);
      assertThat(store.mailbox(id).orElseThrow().lockedSenderKey()).hasValue(sender);
      assertThat(refusal(store.appendChecked(id, random(16), new byte[8], Long.MAX_VALUE, ROOMY, null)))
          .isEqualTo(StoreRefusedException.Reason.LOCKED);
    }
  }

  @Test
  void expiryRemovesDueEnvelopesAndBundlesOnlyAndSurvivesReopen() throws Exception {
    byte[] id = created(random(32));
    long now = System.currentTimeMillis();
    for (int i = 0; i < 2_500; i++) {
      store.appendChecked(id, random(16), new byte[4], now - 1, new AppendLimits(10_000, 1 << 20, Long.MAX_VALUE), null);
    }
    store.appendChecked(id, random(16), new byte[4], now + 3_600_000,
        new AppendLimits(10_000, 1 << 20, Long.MAX_VALUE), null).get();
    byte[] invitation = random(32);
    store.putInvitation(invitation, new byte[] {5}, now - 1);
    byte[] kept = random(32);
    store.putInvitation(kept, new byte[] {6}, now + 3_600_000);
    assertThat(store.expire(now)).isEqualTo(2_501);
    assertThat(store.read(id, 0, 10)).hasSize(1);
    assertThat(store.fetchInvitation(invitation, now - 10)).isEmpty();
    store.close();
    store = open(dir);
    assertThat(store.fetchInvitation(kept, now)).hasValue(new byte[] {6});
    assertThat(store.usage(id)).isEqualTo(new MailboxStore.Usage(1, 4));
    if (store.storedBytes() >= 0) {
      assertThat(store.storedBytes()).isEqualTo(5);
    }
  }

  @Test
  void anIdleMailboxExpiresWithEverythingInIt() throws Exception {
    byte[] owner = random(32);
    byte[] id = created(owner);
    long now = System.currentTimeMillis();
    store.appendChecked(id, random(16), new byte[4], Long.MAX_VALUE, ROOMY, null).get();
    store.touch(id, now + 1_000).get();
    store.touch(id, now + 2_000).get(); // a later touch moves the deadline
    store.expire(now + 1_500);
    assertThat(store.mailbox(id)).isPresent();
    store.expire(now + 2_500);
    if (store.mailbox(id).isPresent()) {
      return; // a store without idle expiry (the SPI's default touch) keeps it: allowed
    }
    assertThat(store.read(id, 0, 10)).isEmpty();
  }
}
