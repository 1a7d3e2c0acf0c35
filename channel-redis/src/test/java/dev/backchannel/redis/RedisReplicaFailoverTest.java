package dev.backchannel.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backchannel.netty.relay.store.MailboxRecord;
import dev.backchannel.netty.relay.store.MailboxStore;
import dev.backchannel.netty.relay.store.MailboxStore.AppendLimits;
import dev.backchannel.netty.relay.store.StoredEnvelope;
import dev.backchannel.redis.internal.RedisKeys;
import io.lettuce.core.cluster.SlotHash;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a failover loses with one replica per master and {@code WAIT 1}: a store with
 * {@code waitReplicas(1)} appends 2,000 envelopes, 64 at a time, to four mailboxes whose slots
 * are on one master; when 1,000 are acknowledged that master gets SIGKILL. Its replica is
 * promoted ({@code cluster-node-timeout} 2 s); the killed master is then restarted from its AOF
 * and rejoins as the new master's replica (until then WAIT 1 cannot be met, so nothing is
 * acknowledged). The stream goes on throughout. Everything is then read back from the promoted
 * replica and counted: acknowledged and present, acknowledged and lost, failed (not
 * acknowledged) and present anyway, failed and absent, with the times of the promotion, of the
 * rejoin and of the first acknowledgement of an append sent after the kill, on one line.
 *
 * <p>Asserted: every append either was acknowledged or failed, each acknowledged envelope still
 * stored is under its acknowledged sequence, no message id is stored twice and no sequence is
 * used twice in a mailbox, nothing is stored that was not sent, each mailbox's counters match
 * its queue, and after the failover the store appends again and 200 more appends all succeed.
 * And no acknowledged envelope is lost: with one replica per master, {@code WAIT 1} means the
 * replica held every acknowledged write in memory, and that replica is the one promoted. (With
 * more replicas, or a power loss of master and replica together, that no longer follows: see
 * SECURITY.md.) Runs on a cluster of its own (six processes).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RedisReplicaFailoverTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final AppendLimits ROOMY = new AppendLimits(100_000, 1 << 26, Long.MAX_VALUE);
  private static final int APPENDS = 2_000;
  private static final int KILL_AFTER_ACKED = 1_000;
  private static final int WINDOW = 64;
  private static final int MAILBOXES = 4;
  private static RedisClusterHarness cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = RedisClusterHarness.startWithReplicas();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  private static int slot(String prefix, byte[] mailbox) {
    return SlotHash.getSlot(new RedisKeys(prefix).mailbox(mailbox)[RedisKeys.META]);
  }

  /** Where an envelope was acknowledged or found: mailbox index and sequence. */
  private record Place(int mailbox, long sequence) {}

  @Test
  void failoverToTheReplicaWithWait1IsCountedAndTheStoreKeepsWorking() throws Exception {
    String prefix = "failover";
    int[] owners = cluster.slotOwners();
    byte[][] boxes = new byte[MAILBOXES][];
    boxes[0] = random(32);
    int master = owners[slot(prefix, boxes[0])];
    for (int b = 1; b < MAILBOXES; b++) {
      do {
        boxes[b] = random(32);
      } while (owners[slot(prefix, boxes[b])] != master);
    }
    List<Integer> replicas = cluster.replicasOf(master);
    assertThat(replicas).as("one replica of the master to be killed").hasSize(1);
    int replica = replicas.get(0);
    assertThat(cluster.cli(replica, "config", "get", "appendfsync")).contains("always");

    Map<String, Place> acknowledged = new ConcurrentHashMap<>();
    Map<String, Place> failed = new ConcurrentHashMap<>();
    Map<String, String> failures = new ConcurrentHashMap<>();
    AtomicLong firstAckAfterKill = new AtomicLong();
    long[] promotedAfterMillis = new long[1];
    long[] rejoinedAfterMillis = new long[1];
    RedisStoreConfig config = cluster.config(prefix).waitReplicas(1)
        .commandTimeout(Duration.ofSeconds(2)).build();
    try (RedisMailboxStore store = RedisMailboxStore.open(config)) {
      for (byte[] box : boxes) {
        assertThat(store.createMailbox(new MailboxRecord(box, random(32), null))).isTrue();
      }
      Semaphore window = new Semaphore(WINDOW);
      List<CompletableFuture<MailboxStore.Appended>> all = new ArrayList<>();
      long killed = 0;
      int acknowledgedAtKill = -1;
      CompletableFuture<Void> recovery = null;
      for (int i = 0; i < APPENDS; i++) {
        window.acquire();
        int b = i % MAILBOXES;
        byte[] mid = random(16);
        byte[] body = ("envelope " + i).getBytes(StandardCharsets.US_ASCII);
        boolean afterKill = killed != 0;
        CompletableFuture<MailboxStore.Appended> f =
            store.appendChecked(boxes[b], mid, body, Long.MAX_VALUE, ROOMY, null);
        f.whenComplete((a, e) -> {
          if (e == null) {
            acknowledged.put(hex(mid), new Place(b, a.sequence()));
            if (afterKill) {
              firstAckAfterKill.compareAndSet(0, System.nanoTime());
            }
          } else {
            failed.put(hex(mid), new Place(b, -1));
            failures.merge(e.getClass().getSimpleName() + ": " + e.getMessage(), "", (x, y) -> x);
          }
          window.release();
        });
        all.add(f);
        if (acknowledgedAtKill < 0 && acknowledged.size() >= KILL_AFTER_ACKED) {
          acknowledgedAtKill = acknowledged.size();
          cluster.kill(master);
          long at = System.nanoTime();
          killed = at;
          // Until the old master is back as a replica of the promoted one, WAIT 1 cannot be met
          // there (one replica per master): it restarts from its AOF once the replica is promoted.
          recovery = CompletableFuture.runAsync(() -> {
            try {
              promotedAfterMillis[0] = awaitPromotion(replica, boxes, prefix, at);
              cluster.restart(master);
              cluster.awaitReplicasInSync();
              rejoinedAfterMillis[0] = (System.nanoTime() - at) / 1_000_000;
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          });
        }
      }
      assertThat(acknowledgedAtKill).as("the kill came mid-stream").isPositive();
      for (CompletableFuture<MailboxStore.Appended> f : all) {
        f.handle((a, e) -> null).get(60, TimeUnit.SECONDS);
      }
      recovery.get(90, TimeUnit.SECONDS);
      assertThat(cluster.replicasOf(replica)).as("the old master rejoined as a replica").contains(master);
      Set<String> retried = new HashSet<>();
      acknowledged.put(appendAgain(store, boxes[0], retried), new Place(0, -2));
      List<CompletableFuture<MailboxStore.Appended>> after = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        byte[] mid = random(16);
        int b = i % MAILBOXES;
        after.add(store.appendChecked(boxes[b], mid, new byte[] {2}, Long.MAX_VALUE, ROOMY, null)
            .whenComplete((a, e) -> {
              if (a != null) {
                acknowledged.put(hex(mid), new Place(b, a.sequence()));
              }
            }));
      }
      for (CompletableFuture<MailboxStore.Appended> f : after) {
        assertThat(f.get(20, TimeUnit.SECONDS).duplicate()).isFalse();
      }
      int extra = 201; // appendAgain's one and the 200: not part of the counts below

      Map<String, Place> stored = new HashMap<>();
      for (int b = 0; b < MAILBOXES; b++) {
        List<StoredEnvelope> envelopes = RedisMailboxStoreDurabilityTest.readAll(store, boxes[b]);
        Set<Long> sequences = new HashSet<>();
        for (StoredEnvelope e : envelopes) {
          assertThat(sequences.add(e.sequence())).as("sequence %d used twice", e.sequence()).isTrue();
          assertThat(stored.put(hex(e.messageId()), new Place(b, e.sequence())))
              .as("message id stored twice").isNull();
        }
        assertThat(store.usage(boxes[b]).envelopes()).as("mailbox counter matches its queue")
            .isEqualTo(envelopes.size());
      }
      assertThat(acknowledged.size() + failed.size()).isEqualTo(APPENDS + extra);
      int ackPresent = 0;
      int ackLost = 0;
      for (Map.Entry<String, Place> e : acknowledged.entrySet()) {
        Place at = stored.get(e.getKey());
        if (at == null) {
          ackLost++;
        } else if (e.getValue().sequence() == -2) {
          ackPresent++;
        } else {
          assertThat(at).as("an acknowledged envelope is under its acknowledged sequence").isEqualTo(e.getValue());
          ackPresent++;
        }
      }
      int failedPresent = 0;
      for (String id : failed.keySet()) {
        if (stored.containsKey(id)) {
          failedPresent++;
        }
      }
      Set<String> unknown = new HashSet<>(stored.keySet());
      unknown.removeAll(acknowledged.keySet());
      unknown.removeAll(failed.keySet());
      unknown.removeAll(retried);
      assertThat(unknown).as("nothing stored that was not sent").isEmpty();
      long firstAck = firstAckAfterKill.get();
      System.out.printf("replica failover, WAIT 1: %d appends, SIGKILL of the master after %d acknowledged;"
              + " acknowledged %d (present %d, lost %d), failed %d (present anyway %d, absent %d);"
              + " replica promoted %d ms after the kill, old master resynced as its replica after %d ms,"
              + " first acknowledgement of an append sent after the kill %s; failures %s%n",
          APPENDS, acknowledgedAtKill, acknowledged.size() - extra, ackPresent - extra, ackLost,
          failed.size(), failedPresent, failed.size() - failedPresent, promotedAfterMillis[0],
          rejoinedAfterMillis[0], firstAck == 0 ? "none in the stream" : (firstAck - killed) / 1_000_000 + " ms",
          failures.keySet());
      assertThat(ackLost).as("acknowledged envelopes lost: the only replica held each of them").isZero();
    }
  }

  /** Waits until the replica serves the mailboxes' slots and reports {@code cluster_state:ok}. */
  private static long awaitPromotion(int replica, byte[][] boxes, String prefix, long killedAt)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      int[] owners = cluster.slotOwners();
      boolean moved = true;
      for (byte[] box : boxes) {
        moved &= owners[slot(prefix, box)] == replica;
      }
      if (moved && cluster.cli(replica, "cluster", "info").contains("cluster_state:ok")) {
        return (System.nanoTime() - killedAt) / 1_000_000;
      }
      assertThat(System.nanoTime()).as("the replica is promoted within 60 s").isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  /**
   * Appends one envelope, retrying with a new id for up to 30 s while the store catches up with
   * the topology; returns the id that was acknowledged, adds the others to {@code retried}.
   */
  private static String appendAgain(RedisMailboxStore store, byte[] box, Set<String> retried) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      byte[] mid = random(16);
      try {
        store.appendChecked(box, mid, new byte[] {1}, Long.MAX_VALUE, ROOMY, null).get(20, TimeUnit.SECONDS);
        return hex(mid);
      } catch (java.util.concurrent.ExecutionException e) {
        retried.add(hex(mid));
        if (System.nanoTime() > deadline) {
          throw new AssertionError("the store does not append 30 s after the promotion", e.getCause());
        }
        Thread.sleep(100);
      }
    }
  }

}
