package dev.backchannel.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backchannel.netty.relay.store.MailboxRecord;
import dev.backchannel.netty.relay.store.MailboxStore.AppendLimits;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sweep works from the bucketed expiry index: a deadline registers its bucket, a sweep before
 * it expires nothing and keeps the bucket, a sweep after it expires the rows and drops the bucket,
 * and a mailbox with no deadline is never in the index.
 */
class RedisExpiryIndexTest {
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

  private static long registered(String prefix) throws Exception {
    String key = prefix + ":{" + prefix + "}:buckets";
    return Long.parseLong(RedisClusterHarness.shared().cli(0, "-c", "zcard", key).trim());
  }

  @Test
  void aSweepVisitsOnlyDueBucketsAndDropsThemWhenPast() throws Exception {
    String prefix = "exp" + Long.toHexString(RANDOM.nextLong() & 0xffffffL);
    long now = System.currentTimeMillis();
    try (RedisMailboxStore store = RedisMailboxStore.open(
        RedisClusterHarness.shared().config(prefix).expiryBucket(Duration.ofSeconds(10)).build())) {
      byte[] forever = random(32);
      store.createMailbox(new MailboxRecord(forever, random(32), null));
      store.appendChecked(forever, random(16), new byte[3], Long.MAX_VALUE, ROOMY, null).get();
      assertThat(registered(prefix)).as("no deadline, no index entry").isZero();

      byte[] id = random(32);
      store.createMailbox(new MailboxRecord(id, random(32), null));
      store.appendChecked(id, random(16), "later".getBytes(StandardCharsets.US_ASCII), now + 3_600_000, ROOMY, null).get();
      assertThat(registered(prefix)).isEqualTo(1);
      assertThat(store.expire(now)).isZero();
      assertThat(registered(prefix)).as("a future bucket stays").isEqualTo(1);
      assertThat(store.expire(now + 3_600_000 + 20_000)).isEqualTo(1);
      assertThat(registered(prefix)).as("a past bucket is dropped").isZero();
      assertThat(store.read(id, 0, 10)).isEmpty();
      assertThat(store.read(forever, 0, 10)).hasSize(1);
      assertThat(store.storedBytes()).isEqualTo(3);
    }
  }
}
