package dev.backchannel.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backchannel.api.Conversation;
import dev.backchannel.api.Message;
import dev.backchannel.api.Peer;
import dev.backchannel.api.RelayAddress;
import dev.backchannel.api.RelayAddress.Endpoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failover at the application's level: two relay nodes, each its own JVM, on one Redis Cluster
 * with one key file and one address {@code bcr://<hash>@node1,node2}. Two peers talk through node
 * 1; in the middle of a stream of 2,000 sends node 1 is killed with SIGKILL. Both peers' links
 * move to node 2; every send completes (the relay acknowledged it), every message reaches the
 * other application exactly once with its own text under its own sequence number, and the
 * conversation goes on both ways.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class RelayNodeKillIntegrationTest {
  private static final int MESSAGES = 2000;
  private static final int KILL_AT = 700;
  @TempDir Path dir;

  @BeforeAll
  static void warmUp() throws Exception {
    RedisMailboxStore.open(RedisClusterHarness.shared().config("warmup").build()).close();
  }

  @Test
  void sigkillOfTheNodeInUseLosesNothingAcknowledged() throws Exception {
    String prefix = ClusterNodes.prefix("kill");
    Path key = dir.resolve("cluster.key");
    int port1 = ClusterNodes.freePort();
    int port2 = ClusterNodes.freePort();
    List<Endpoint> advertised = ClusterNodes.loopback(port1, port2);
    RelayAddress[] printed1 = new RelayAddress[1];
    RelayAddress[] printed2 = new RelayAddress[1];
    List<Process> nodes = new ArrayList<>();
    try {
      nodes.add(ClusterNodes.startNode(dir.resolve("node1"), key, port1, advertised, prefix, printed1));
      nodes.add(ClusterNodes.startNode(dir.resolve("node2"), key, port2, advertised, prefix, printed2));
      assertThat(printed2[0]).as("both nodes print one address").isEqualTo(printed1[0]);
      RelayAddress address = printed1[0];
      try (Peer alice = Peer.builder().stateDirectory(dir.resolve("alice")).relay(address).build();
          Peer bob = Peer.builder().stateDirectory(dir.resolve("bob")).relay(address).build()) {
        Conversation toAlice = bob.accept(alice.createInvitation("bob", Duration.ofHours(1)), "alice");
        toAlice.send("hi").get(60, TimeUnit.SECONDS);
        for (int i = 0; i < 400 && alice.conversation("bob").isEmpty(); i++) {
          Thread.sleep(25);
        }
        Conversation toBob = alice.conversation("bob").orElseThrow();
        assertThat(toBob.receive(Duration.ofSeconds(60)).orElseThrow().text()).isEqualTo("hi");

        List<CompletableFuture<Long>> sends = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        AtomicInteger acknowledged = new AtomicInteger();
        int acknowledgedAtKill = -1;
        for (int i = 0; i < MESSAGES; i++) {
          String text = "across the failover " + i;
          texts.add(text);
          CompletableFuture<Long> f = toBob.send(text);
          f.thenRun(acknowledged::incrementAndGet);
          sends.add(f);
          if (i == KILL_AT) {
            // Let acknowledgements come in first, so the kill lands in the middle of the stream.
            while (acknowledged.get() < KILL_AT / 2) {
              Thread.sleep(1);
            }
            nodes.get(0).destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL
            acknowledgedAtKill = acknowledged.get();
          } else if (i % 50 == 0) {
            Thread.sleep(5);
          }
        }
        Map<Long, String> bySequence = new HashMap<>();
        for (int i = 0; i < MESSAGES; i++) {
          bySequence.put(sends.get(i).get(180, TimeUnit.SECONDS), texts.get(i));
        }
        assertThat(bySequence).as("each send has its own sequence number").hasSize(MESSAGES);
        assertThat(acknowledgedAtKill).as("the kill came mid-stream").isBetween(1, MESSAGES - 1);
        assertThat(nodes.get(0).isAlive()).isFalse();

        Map<Long, String> shown = new HashMap<>();
        while (shown.size() < MESSAGES) {
          Optional<Message> m = toAlice.receive(Duration.ofSeconds(60));
          assertThat(m).as("all %d sent messages arrive (got %d)", MESSAGES, shown.size()).isPresent();
          assertThat(shown.put(m.get().sequence(), m.get().text()))
              .as("sequence %d shown twice", m.get().sequence()).isNull();
          assertThat(m.get().text()).isEqualTo(bySequence.get(m.get().sequence()));
        }
        assertThat(toAlice.receive(Duration.ofSeconds(2))).as("nothing more").isEmpty();
        System.out.printf("relay node SIGKILL: %d messages, %d acknowledged before the kill, %d shown once each%n",
            MESSAGES, acknowledgedAtKill, shown.size());

        toAlice.send("after the failover").get(60, TimeUnit.SECONDS);
        assertThat(toBob.receive(Duration.ofSeconds(60)).orElseThrow().text()).isEqualTo("after the failover");
      }
    } finally {
      for (Process p : nodes) {
        p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    }
  }
}
