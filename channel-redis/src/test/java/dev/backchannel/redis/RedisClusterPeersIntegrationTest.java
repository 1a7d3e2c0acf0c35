package dev.backchannel.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backchannel.api.Conversation;
import dev.backchannel.api.Invitation;
import dev.backchannel.api.Peer;
import dev.backchannel.api.RelayAddress;
import dev.backchannel.api.RelayAddress.Endpoint;
import dev.backchannel.netty.relay.RelayConfig;
import dev.backchannel.netty.relay.RelayServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two relay nodes on one Redis Cluster, sharing one key file and advertising one address,
 * {@code bcr://<hash>@node1,node2}; real TLS on loopback, real peers. Bob's link comes up while
 * node 1 is not listening yet, so it settles on node 2; Alice's then reaches node 1. Alice's
 * invitation, stored through node 1, is accepted through node 2, and each peer receives what the
 * other sends through the other node.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RedisClusterPeersIntegrationTest {
  @TempDir Path dir;

  @BeforeAll
  static void warmUp() throws Exception {
    RedisMailboxStore.open(RedisClusterHarness.shared().config("warmup").build()).close();
  }

  private RelayServer node(String name, int port, List<Endpoint> advertised, RedisStoreConfig store)
      throws Exception {
    return RelayServer.start(RelayConfig.builder(dir.resolve(name)).port(port)
        .keyFile(dir.resolve("cluster.key")).advertise(advertised)
        .mailboxStore(RedisMailboxStore.open(store)).build());
  }

  @Test
  void peersOnDifferentNodesInviteAndTalk() throws Exception {
    RedisStoreConfig store = RedisClusterHarness.shared().config(ClusterNodes.prefix("peers")).build();
    int port1 = ClusterNodes.freePort();
    int port2 = ClusterNodes.freePort();
    List<Endpoint> advertised = ClusterNodes.loopback(port1, port2);
    try (RelayServer node2 = node("node2", port2, advertised, store)) {
      RelayAddress address = node2.address();
      assertThat(address.endpoints()).isEqualTo(advertised);
      try (Peer bob = Peer.builder().stateDirectory(dir.resolve("bob")).relay(address).build()) {
        // Node 1 refuses connections for now, so Bob's link settles on node 2.
        for (int i = 0; i < 800 && node2.counters().connections() < 1; i++) {
          Thread.sleep(25);
        }
        assertThat(node2.counters().connections()).isEqualTo(1);
        try (RelayServer node1 = node("node1", port1, advertised, store);
            Peer alice = Peer.builder().stateDirectory(dir.resolve("alice")).relay(address).build()) {
          assertThat(node1.address()).as("both nodes print one address").isEqualTo(address);

          Invitation invitation = alice.createInvitation("bob", Duration.ofHours(1)); // through node 1
          assertThat(invitation.relay()).isEqualTo(address);
          Invitation pasted = Invitation.parse(invitation.toCompactString());
          Conversation toAlice = bob.accept(pasted, "alice"); // fetched and answered through node 2
          toAlice.send("hi from node 2").get(60, TimeUnit.SECONDS);
          for (int i = 0; i < 400 && alice.conversation("bob").isEmpty(); i++) {
            Thread.sleep(25);
          }
          Conversation toBob = alice.conversation("bob").orElseThrow();
          assertThat(toBob.receive(Duration.ofSeconds(60)).orElseThrow().text()).isEqualTo("hi from node 2");
          for (int i = 0; i < 20; i++) {
            toBob.send("from node 1 #" + i).get(60, TimeUnit.SECONDS);
            toAlice.send("from node 2 #" + i).get(60, TimeUnit.SECONDS);
          }
          for (int i = 0; i < 20; i++) {
            assertThat(toAlice.receive(Duration.ofSeconds(30)).orElseThrow().text()).isEqualTo("from node 1 #" + i);
            assertThat(toBob.receive(Duration.ofSeconds(30)).orElseThrow().text()).isEqualTo("from node 2 #" + i);
          }
          assertThat(toAlice.receive(Duration.ofMillis(500))).isEmpty();
          assertThat(toBob.receive(Duration.ofMillis(500))).isEmpty();
          // One link each, on its own node: everything above crossed between the nodes.
          assertThat(node1.counters().connections()).as("alice on node 1").isEqualTo(1);
          assertThat(node2.counters().connections()).as("bob on node 2").isEqualTo(1);
        }
      }
    }
  }
}
