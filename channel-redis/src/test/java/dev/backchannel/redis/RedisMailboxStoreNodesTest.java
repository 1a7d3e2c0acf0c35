package dev.backchannel.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backchannel.netty.relay.store.MailboxRecord;
import dev.backchannel.netty.relay.store.MailboxStore;
import dev.backchannel.netty.relay.store.MailboxStore.AppendLimits;
import java.security.SecureRandom;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two stores on one cluster, as two relay nodes: each sees the other's appends (same sequences,
 * same duplicate detection), and a node subscribed to a mailbox gets a sharded notice for the
 * other node's append, but none for its own.
 */
class RedisMailboxStoreNodesTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final AppendLimits ROOMY = new AppendLimits(1_000, 1 << 20, Long.MAX_VALUE);

  @BeforeAll
  static void warmUp() throws Exception {
    RedisMailboxStore.open(RedisClusterHarness.shared().config("warmup").build()).close();
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  @Test
  void twoNodesShareMailboxesAndNoticeEachOthersAppends() throws Exception {
    String prefix = "nodes" + Long.toHexString(RANDOM.nextLong() & 0xffffffL);
    RedisStoreConfig config = RedisClusterHarness.shared().config(prefix).build();
    try (RedisMailboxStore a = RedisMailboxStore.open(config);
        RedisMailboxStore b = RedisMailboxStore.open(config)) {
      LinkedBlockingQueue<byte[]> atA = new LinkedBlockingQueue<>();
      LinkedBlockingQueue<byte[]> atB = new LinkedBlockingQueue<>();
      a.onRemoteAppend(atA::add);
      b.onRemoteAppend(atB::add);
      byte[] id = random(32);
      assertThat(a.createMailbox(new MailboxRecord(id, random(32), null))).isTrue();
      assertThat(b.createMailbox(new MailboxRecord(id, random(32), null))).isFalse();
      a.subscribe(id).get(10, TimeUnit.SECONDS);
      b.subscribe(id).get(10, TimeUnit.SECONDS);
      assertThat(atA.poll(10, TimeUnit.SECONDS)).as("a confirmed subscription is a cue to read").isEqualTo(id);
      assertThat(atB.poll(10, TimeUnit.SECONDS)).isEqualTo(id);

      byte[] mid = random(16);
      MailboxStore.Appended first = a.appendChecked(id, mid, new byte[] {7}, Long.MAX_VALUE, ROOMY, null)
          .get(10, TimeUnit.SECONDS);
      assertThat(atB.poll(10, TimeUnit.SECONDS)).as("B is told of A's append").isEqualTo(id);
      assertThat(b.read(id, 0, 10)).singleElement()
          .satisfies(e -> assertThat(e.sequence()).isEqualTo(first.sequence()));
      assertThat(b.appendChecked(id, mid, new byte[] {7}, Long.MAX_VALUE, ROOMY, null).get(10, TimeUnit.SECONDS))
          .as("a resend through the other node is a duplicate")
          .isEqualTo(new MailboxStore.Appended(first.sequence(), true));

      MailboxStore.Appended second = b.appendChecked(id, random(16), new byte[] {8}, Long.MAX_VALUE, ROOMY, null)
          .get(10, TimeUnit.SECONDS);
      assertThat(second.sequence()).isEqualTo(first.sequence() + 1);
      assertThat(atA.poll(10, TimeUnit.SECONDS)).as("A is told of B's append").isEqualTo(id);
      assertThat(atA.poll(300, TimeUnit.MILLISECONDS)).as("A is not told of its own append").isNull();
      assertThat(atB.poll(300, TimeUnit.MILLISECONDS)).as("nor B of its own, nor of a duplicate").isNull();

      b.unsubscribe(id).get(10, TimeUnit.SECONDS);
      a.appendChecked(id, random(16), new byte[] {9}, Long.MAX_VALUE, ROOMY, null).get(10, TimeUnit.SECONDS);
      assertThat(atB.poll(500, TimeUnit.MILLISECONDS)).as("no notice after unsubscribing").isNull();
      assertThat(b.usage(id)).isEqualTo(new MailboxStore.Usage(3, 3));
    }
  }

  @Test
  void aWriteThatTheAskedReplicasDidNotAcknowledgeFailsTyped() throws Exception {
    // The test cluster has no replicas: WAIT 1 returns 0, and the store reports it.
    RedisStoreConfig config = RedisClusterHarness.shared().config("wait")
        .waitReplicas(1).waitTimeout(java.time.Duration.ofMillis(50)).build();
    try (RedisMailboxStore store = RedisMailboxStore.open(config)) {
      byte[] id = random(32);
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> store.createMailbox(new MailboxRecord(id, random(32), null)))
          .isInstanceOf(dev.backchannel.api.error.StateStoreException.class)
          .hasMessageContaining("0 of 1 replicas");
      assertThat(store.mailbox(id)).as("the master holds it all the same").isPresent();
    }
  }
}
