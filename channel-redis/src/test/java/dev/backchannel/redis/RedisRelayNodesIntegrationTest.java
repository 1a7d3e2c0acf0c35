package dev.backchannel.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backchannel.netty.client.RelayLink;
import dev.backchannel.netty.relay.RelayConfig;
import dev.backchannel.netty.relay.RelayServer;
import dev.backchannel.netty.relay.RelayTestSupport;
import dev.backchannel.netty.relay.RelayTestSupport.Box;
import dev.backchannel.netty.relay.RelayTestSupport.Opened;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two relay nodes over TLS on loopback, each with its own {@link RedisMailboxStore} on one
 * cluster: a mailbox created through one node is served by the other, and an envelope sent through
 * one reaches a subscriber on the other, woken by the sharded notice.
 */
class RedisRelayNodesIntegrationTest {
  @TempDir Path dir;

  @BeforeAll
  static void warmUp() throws Exception {
    RedisMailboxStore.open(RedisClusterHarness.shared().config("warmup").build()).close();
  }

  @Test
  void anEnvelopeSentThroughOneNodeReachesASubscriberOnTheOther() throws Exception {
    RedisStoreConfig config = RedisClusterHarness.shared()
        .config("relays" + Long.toHexString(System.nanoTime() & 0xffffffL)).build();
    try (Opened o = new Opened()) {
      RelayServer a = o.relay(RelayConfig.builder(dir.resolve("a")).mailboxStore(RedisMailboxStore.open(config)));
      RelayServer b = o.relay(RelayConfig.builder(dir.resolve("b")).mailboxStore(RedisMailboxStore.open(config)));
      RelayLink toA = o.link(a);
      RelayLink toB = o.link(b);
      Box box = new Box().create(toA).subscribe(toB);
      for (int i = 0; i < 5; i++) {
        toA.send(box.id, RelayTestSupport.random(16), ("across " + i).getBytes(StandardCharsets.UTF_8))
            .get(20, TimeUnit.SECONDS);
        assertThat(new String(box.next().body(), StandardCharsets.UTF_8)).isEqualTo("across " + i);
      }
      toB.send(box.id, RelayTestSupport.random(16), "local".getBytes(StandardCharsets.UTF_8)).get(20, TimeUnit.SECONDS);
      assertThat(new String(box.next().body(), StandardCharsets.UTF_8)).isEqualTo("local");
      assertThat(box.received.poll(300, TimeUnit.MILLISECONDS)).as("each envelope once").isNull();
    }
  }
}
