package dev.backchannel.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backchannel.netty.relay.store.MailboxRecord;
import dev.backchannel.netty.relay.store.MailboxStore;
import dev.backchannel.netty.relay.store.MailboxStore.AppendLimits;
import dev.backchannel.netty.relay.store.StoredEnvelope;
import dev.backchannel.redis.internal.RedisKeys;
import io.lettuce.core.cluster.SlotHash;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An acknowledged append survives a SIGKILL of the master that holds it: with {@code appendonly
 * yes} and {@code appendfsync always} the master fsyncs its AOF before it replies, and restarted
 * from that AOF it has every envelope whose future completed. Runs on a cluster of its own.
 */
class RedisMailboxStoreDurabilityTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final AppendLimits ROOMY = new AppendLimits(100_000, 1 << 26, Long.MAX_VALUE);
  private static RedisClusterHarness cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = RedisClusterHarness.start();
    RedisMailboxStore.open(cluster.config("warmup").build()).close();
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  @Test
  void acknowledgedAppendsSurviveASigkilledMasterRestartedFromItsAof() throws Exception {
    byte[] id = random(32);
    int slot = SlotHash.getSlot(new RedisKeys("dur").mailbox(id)[RedisKeys.META]);
    int node = cluster.nodeOfSlot(slot);
    assertThat(cluster.cli(node, "config", "get", "appendfsync")).contains("always");

    Map<String, Long> acknowledged = new ConcurrentHashMap<>();
    try (RedisMailboxStore store = RedisMailboxStore.open(
        cluster.config("dur").commandTimeout(java.time.Duration.ofSeconds(2)).build())) {
      assertThat(store.createMailbox(new MailboxRecord(id, random(32), null))).isTrue();
      // Appends in flight while the master dies: only those acknowledged before count.
      List<CompletableFuture<MailboxStore.Appended>> inFlight = new ArrayList<>();
      for (int i = 0; i < 2_000; i++) {
        byte[] mid = random(16);
        byte[] body = ("envelope " + i).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        CompletableFuture<MailboxStore.Appended> f =
            store.appendChecked(id, mid, body, Long.MAX_VALUE, ROOMY, null);
        f.thenAccept(a -> acknowledged.put(HexFormat.of().formatHex(mid), a.sequence()));
        inFlight.add(f);
        if (i == 1_000) {
          inFlight.get(500).get(20, TimeUnit.SECONDS);
          cluster.kill(node);
        }
      }
      for (CompletableFuture<MailboxStore.Appended> f : inFlight) {
        f.handle((a, e) -> null).get(60, TimeUnit.SECONDS);
      }
    }
    assertThat(acknowledged).hasSizeGreaterThan(500);
    cluster.restart(node);

    try (RedisMailboxStore store = RedisMailboxStore.open(cluster.config("dur").build())) {
      List<StoredEnvelope> all = readAll(store, id);
      Map<String, Long> stored = new java.util.HashMap<>();
      for (StoredEnvelope e : all) {
        stored.put(HexFormat.of().formatHex(e.messageId()), e.sequence());
      }
      assertThat(stored).as("every acknowledged append, under its acknowledged sequence")
          .containsAllEntriesOf(acknowledged);
      assertThat(store.usage(id).envelopes()).isEqualTo(all.size());
      MailboxStore.Appended next = store.appendChecked(id, random(16), new byte[] {1}, Long.MAX_VALUE, ROOMY, null)
          .get(20, TimeUnit.SECONDS);
      assertThat(next.sequence()).isEqualTo(all.get(all.size() - 1).sequence() + 1);
      System.out.printf("SIGKILL during 2000 appends: %d acknowledged, %d stored after the restart%n",
          acknowledged.size(), all.size());
    }
  }

  /** Every envelope of mailbox {@code id}, read page by page. */
  static List<StoredEnvelope> readAll(RedisMailboxStore store, byte[] id) throws Exception {
    List<StoredEnvelope> all = new ArrayList<>();
    long from = 0;
    while (true) {
      List<StoredEnvelope> page = store.read(id, from, 500);
      all.addAll(page);
      if (page.size() < 500) {
        return all;
      }
      from = page.get(page.size() - 1).sequence() + 1;
    }
  }
}
