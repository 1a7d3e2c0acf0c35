package dev.backchannel.netty.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backchannel.api.Conversation;
import dev.backchannel.api.Message;
import dev.backchannel.api.Peer;
import dev.backchannel.netty.relay.RelayConfig;
import dev.backchannel.netty.relay.RelayServer;
import dev.backchannel.netty.store.Tmpfs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two peers while a disk fills up under them (a 16 MiB tmpfs, filled by a ballast file; skipped
 * where mounting is not permitted). The relay's disk: sends wait while it refuses them, what it
 * held is still delivered, and once space is freed it accepts again by itself and every message
 * arrives once, in order. A peer's own disk: a send fails with a typed error, and after space is
 * freed the state opens again and the conversation goes on.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class FullDiskPeersIntegrationTest {
  @TempDir Path dir;
  Tmpfs tmpfs;
  RelayServer relay;
  final List<Peer> peers = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    peers.forEach(Peer::close);
    if (relay != null) {
      relay.close();
    }
    if (tmpfs != null) {
      tmpfs.close();
    }
  }

  Peer open(Path state) throws Exception {
    Peer p = Peer.builder().stateDirectory(state).relay(relay.address()).build();
    peers.add(p);
    return p;
  }

  static String text(String prefix, int i) {
    return prefix + " " + i + " " + "x".repeat(900);
  }

  static Message next(Conversation c) throws InterruptedException {
    Optional<Message> m = c.receive(Duration.ofSeconds(90));
    assertThat(m).as("a message arrives").isPresent();
    return m.get();
  }

  @Test
  void aRelayWhoseDiskFillsHoldsSendsBackDeliversWhatItHeldAndAcceptsAgainOnceSpaceIsFreed() throws Exception {
    tmpfs = Tmpfs.mount(dir.resolve("disk"), 16);
    relay = RelayServer.start(RelayConfig.builder(tmpfs.path().resolve("relay")).port(0).build());
    Peer alice = open(dir.resolve("alice"));
    Peer bob = open(dir.resolve("bob"));
    PeerTestSupport.Pair pair = PeerTestSupport.introduce(alice, bob);
    Conversation toBob = pair.toBob();
    bob.close();
    peers.remove(bob);
    for (int i = 0; i < 10; i++) {
      toBob.send(text("before", i)).get(60, TimeUnit.SECONDS);
    }

    long ballast = tmpfs.fill("ballast");
    assertThat(ballast).isPositive();
    List<CompletableFuture<Long>> during = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      during.add(toBob.send(text("during", i)));
    }
    Thread.sleep(3_000);
    assertThat(during).as("the relay cannot hold them all on a full disk")
        .anyMatch(f -> !f.isDone());
    assertThat(during).as("a full relay is a reason to wait, not a failure")
        .noneMatch(CompletableFuture::isCompletedExceptionally);

    bob = open(dir.resolve("bob"));
    Conversation toAlice = bob.conversation("alice").orElseThrow();
    for (int i = 0; i < 10; i++) {
      assertThat(next(toAlice).text()).as("what the relay held is delivered while its disk is full")
          .isEqualTo(text("before", i));
    }

    Files.delete(tmpfs.path().resolve("ballast"));
    for (CompletableFuture<Long> f : during) {
      f.get(120, TimeUnit.SECONDS);
    }
    for (int i = 0; i < 10; i++) {
      assertThat(next(toAlice).text()).isEqualTo(text("during", i));
    }
    assertThat(toAlice.receive(Duration.ofSeconds(2))).as("each message once").isEmpty();
    toAlice.send("still here").get(60, TimeUnit.SECONDS);
    assertThat(next(toBob).text()).isEqualTo("still here");
  }

  @Test
  void aPeerWhoseDiskFillsFailsTheSendTypedAndItsStateOpensAgainOnceSpaceIsFreed() throws Exception {
    tmpfs = Tmpfs.mount(dir.resolve("disk"), 16);
    relay = RelayServer.start(RelayConfig.builder(dir.resolve("relay")).port(0).build());
    Path aliceState = tmpfs.path().resolve("alice");
    Peer alice = open(aliceState);
    Peer bob = open(dir.resolve("bob"));
    PeerTestSupport.Pair pair = PeerTestSupport.introduce(alice, bob);
    Conversation toBob = pair.toBob();
    Conversation toAlice = pair.toAlice();

    tmpfs.fill("ballast");
    Throwable failure = null;
    List<String> completed = new ArrayList<>();
    for (int i = 0; i < 20 && failure == null; i++) {
      try {
        toBob.send(text("full", i)).get(60, TimeUnit.SECONDS);
        completed.add("full " + i);
      } catch (ExecutionException e) {
        failure = e.getCause();
      } catch (IllegalStateException e) {
        failure = e;
      }
    }
    assertThat(failure).as("a send on a full disk fails").isNotNull();
    assertThat(failure).isInstanceOf(dev.backchannel.api.error.StateStoreException.class);

    Files.delete(tmpfs.path().resolve("ballast"));
    alice.close();
    peers.remove(alice);
    alice = open(aliceState);
    toBob = alice.conversation("bob").orElseThrow();
    List<String> seen = new ArrayList<>();
    toBob.send("after the disk filled").get(60, TimeUnit.SECONDS);
    for (Message m; !(m = next(toAlice)).text().equals("after the disk filled"); ) {
      seen.add(m.text().substring(0, m.text().indexOf(' ', 5)));
    }
    assertThat(seen).as("the sends that completed were delivered, each once, and the failed one never")
        .isEqualTo(completed);
    toAlice.send("and back").get(60, TimeUnit.SECONDS);
    assertThat(next(toBob).text()).isEqualTo("and back");
  }
}
