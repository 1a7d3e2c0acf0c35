package dev.backchannel.netty.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backchannel.api.Conversation;
import dev.backchannel.api.Peer;
import dev.backchannel.netty.relay.RelayServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Helpers shared by the runtime integration tests. */
final class PeerTestSupport {
  private PeerTestSupport() {}

  /** A peer with its state in {@code dir/name}, using {@code relay}. */
  static Peer open(Path dir, RelayServer relay, String name) throws Exception {
    return Peer.builder().stateDirectory(dir.resolve(name)).relay(relay.address()).build();
  }

  /** Closes the peers a test opened (those still null are skipped), then its relay. */
  static void closeAll(RelayServer relay, Peer... peers) {
    for (Peer p : peers) {
      if (p != null) {
        p.close();
      }
    }
    relay.close();
  }

  /** Bob's conversation with Alice and Alice's with Bob, after one message each way. */
  record Pair(Conversation toAlice, Conversation toBob) {}

  /** Alice invites, Bob accepts and says "hi", Alice answers "hello": the session is established. */
  static Pair introduce(Peer alice, Peer bob) throws Exception {
    return introduce(alice, bob, "bob", "alice");
  }

  /** As {@link #introduce(Peer, Peer)}, Alice calling Bob {@code bobsName}, Bob calling Alice {@code alicesName}. */
  static Pair introduce(Peer alice, Peer bob, String bobsName, String alicesName) throws Exception {
    Conversation toAlice = bob.accept(alice.createInvitation(bobsName, Duration.ofHours(1)), alicesName);
    toAlice.send("hi").get(60, TimeUnit.SECONDS);
    for (int i = 0; i < 400 && alice.conversation(bobsName).isEmpty(); i++) {
      Thread.sleep(25);
    }
    Conversation toBob = alice.conversation(bobsName).orElseThrow();
    assertThat(toBob.receive(Duration.ofSeconds(60)).orElseThrow().text()).isEqualTo("hi");
    toBob.send("hello").get(60, TimeUnit.SECONDS);
    assertThat(toAlice.receive(Duration.ofSeconds(60)).orElseThrow().text()).isEqualTo("hello");
    return new Pair(toAlice, toBob);
  }
}
