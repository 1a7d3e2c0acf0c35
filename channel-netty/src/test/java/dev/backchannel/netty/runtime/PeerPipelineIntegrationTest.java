package dev.backchannel.netty.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backchannel.api.Conversation;
import dev.backchannel.api.Message;
import dev.backchannel.api.Peer;
import dev.backchannel.api.PeerConfig;
import dev.backchannel.api.PendingInvitation;
import dev.backchannel.api.error.MessageTooLargeException;
import dev.backchannel.api.error.StateStoreException;
import dev.backchannel.api.error.UndeliverableException;
import dev.backchannel.netty.relay.RelayConfig;
import dev.backchannel.netty.relay.RelayServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The peer pipeline as an application meets it: first contact, futures, bounds, retries, scale. */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class PeerPipelineIntegrationTest {
  @TempDir Path dir;
  private RelayServer relay;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @BeforeEach
  void startRelay() throws Exception {
    relay = RelayServer.start(RelayConfig.builder(dir.resolve("relay")).port(0).build());
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
    relay.close();
  }

  private Peer peer(String name) throws Exception {
    return peer(name, PeerConfig.OutboxLimits.DEFAULT);
  }

  private Peer peer(String name, PeerConfig.OutboxLimits limits) throws Exception {
    Peer p = Peer.builder().stateDirectory(dir.resolve(name)).relay(relay.address()).outboxLimits(limits).build();
    closeables.add(0, p);
    return p;
  }

  private static Message next(Conversation c) throws InterruptedException {
    return c.receive(Duration.ofSeconds(30)).orElseThrow(() -> new AssertionError("no message"));
  }

  @Test
  void firstMessagesTravelWithTheHandshakeWhileTheInviterIsOffline() throws Exception {
    Peer alice = peer("alice");
    PendingInvitation inv = alice.invite("bob", Duration.ofHours(1));
    alice.close();
    closeables.remove(alice);

    Peer bob = peer("bob");
    Conversation toAlice = bob.accept(inv.invitation(), "alice");
    assertThat(toAlice.isEstablished()).isFalse();
    // Sends complete as soon as the relay holds them, before the inviter ever answered.
    for (int i = 1; i <= 3; i++) {
      assertThat(toAlice.send("early " + i).get(30, TimeUnit.SECONDS)).isEqualTo(i);
    }
    assertThat(toAlice.pendingSends()).isZero();
    assertThatThrownBy(() -> inv.accepted().get(1, TimeUnit.SECONDS))
        .as("the closed peer's future fails").isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(StateStoreException.class);

    Peer aliceAgain = peer("alice");
    List<Conversation> opened = new CopyOnWriteArrayList<>();
    Conversation toBob = null;
    for (int i = 0; i < 400 && toBob == null; i++) {
      toBob = aliceAgain.conversation("bob").orElse(null);
      Thread.sleep(25);
    }
    assertThat(toBob).isNotNull();
    // A listener registered late still hears of the conversation opened before it.
    aliceAgain.onConversation(opened::add);
    for (int i = 1; i <= 3; i++) {
      Message m = next(toBob);
      assertThat(m.sequence()).isEqualTo(i);
      assertThat(m.text()).isEqualTo("early " + i);
    }
    for (int i = 0; i < 200 && opened.isEmpty(); i++) {
      Thread.sleep(10);
    }
    assertThat(opened).extracting(Conversation::name).containsExactly("bob");
    toBob.send("welcome").get(30, TimeUnit.SECONDS);
    assertThat(next(toAlice).text()).isEqualTo("welcome");
    assertThat(toAlice.isEstablished()).isTrue();
    toAlice.send("after the answer").get(30, TimeUnit.SECONDS);
    assertThat(next(toBob).text()).isEqualTo("after the answer");
  }

  @Test
  void acceptedFutureCompletesWithTheConversation() throws Exception {
    Peer alice = peer("alice");
    Peer bob = peer("bob");
    PendingInvitation inv = alice.invite("bob", Duration.ofHours(1));
    assertThat(inv.accepted()).isNotDone();
    Conversation toAlice = bob.accept(inv.invitation(), "alice");
    toAlice.send("hi").get(30, TimeUnit.SECONDS);
    Conversation toBob = inv.accepted().get(30, TimeUnit.SECONDS);
    assertThat(toBob.name()).isEqualTo("bob");
    assertThat(next(toBob).text()).isEqualTo("hi");
  }

  @Test
  void receiveHonoursItsTimeoutAndSendFailsAtOnceAfterClose() throws Exception {
    Peer alice = peer("alice");
    Peer bob = peer("bob");
    Conversation toAlice = bob.accept(alice.createInvitation("bob", Duration.ofHours(1)), "alice");
    long start = System.nanoTime();
    assertThat(toAlice.receive(Duration.ofMillis(300))).isEmpty();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    bob.close();
    CompletableFuture<Long> f = toAlice.send("too late");
    assertThat(f).isCompletedExceptionally();
    assertThatThrownBy(f::get).cause().isInstanceOf(StateStoreException.class);
  }

  @Test
  void tooLargeIsItsOwnErrorAndNeverEntersTheOutbox() throws Exception {
    Peer alice = peer("alice");
    Peer bob = peer("bob");
    Conversation toAlice = bob.accept(alice.createInvitation("bob", Duration.ofHours(1)), "alice");
    CompletableFuture<Long> f = toAlice.send(new byte[Conversation.MAX_MESSAGE_BYTES + 1]);
    assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).cause().isInstanceOf(MessageTooLargeException.class);
    assertThat(toAlice.pendingSends()).isZero();
    assertThat(toAlice.send(new byte[Conversation.MAX_MESSAGE_BYTES]).get(30, TimeUnit.SECONDS)).isEqualTo(1);
  }

  @Test
  void aFullOutboxRefusesAtOnceAndOldSendsFailForCertain() throws Exception {
    Peer alice = peer("alice");
    Peer bob = peer("bob", new PeerConfig.OutboxLimits(3, 1 << 20, Duration.ofSeconds(2)));
    Conversation toAlice = bob.accept(alice.createInvitation("bob", Duration.ofHours(1)), "alice");
    relay.close(); // nothing reaches the relay from now on
    List<CompletableFuture<Long>> waiting = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      waiting.add(toAlice.send("waits " + i));
    }
    for (int i = 0; i < 100 && toAlice.pendingSends() < 3; i++) {
      Thread.sleep(20);
    }
    assertThat(toAlice.pendingSends()).isEqualTo(3);
    assertThatThrownBy(() -> toAlice.send("one too many").get(10, TimeUnit.SECONDS))
        .cause().isInstanceOf(UndeliverableException.class).hasMessageContaining("outbox is full");
    // Past the age limit each waiting send fails for certain and leaves the outbox.
    for (CompletableFuture<Long> f : waiting) {
      assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS)).cause().isInstanceOf(UndeliverableException.class);
    }
    assertThat(toAlice.pendingSends()).isZero();
    relay = RelayServer.start(RelayConfig.builder(dir.resolve("relay")).port(0).build());
  }

  @Test
  void aFullMailboxKeepsSendsPendingAndRetriesThemInTheBackground() throws Exception {
    relay.close();
    relay = RelayServer.start(RelayConfig.builder(dir.resolve("relay2")).port(0).maxEnvelopesPerMailbox(6).build());
    Peer alice = peer("alice");
    Peer bob = peer("bob");
    PendingInvitation inv = alice.invite("bob", Duration.ofHours(1));
    Conversation toAlice = bob.accept(inv.invitation(), "alice");
    toAlice.send("hi").get(30, TimeUnit.SECONDS);
    Conversation toBob = inv.accepted().get(30, TimeUnit.SECONDS);
    toBob.send("hello").get(30, TimeUnit.SECONDS);
    assertThat(next(toAlice).text()).isEqualTo("hello");
    assertThat(next(toBob).text()).isEqualTo("hi");
    bob.close();
    closeables.remove(bob);
    List<CompletableFuture<Long>> sends = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      sends.add(toBob.send("m" + i));
    }
    Thread.sleep(1500);
    long done = sends.stream().filter(CompletableFuture::isDone).count();
    assertThat(sends).noneMatch(CompletableFuture::isCompletedExceptionally);
    assertThat(done).as("the mailbox holds 6").isLessThan(10);
    assertThat(toBob.pendingSends()).isEqualTo((int) (10 - done));
    // Bob drains his mailbox; the rest go out without any reconnect of alice's link.
    Conversation back = peer("bob").conversation("alice").orElseThrow();
    List<String> got = new ArrayList<>();
    while (got.size() < 10) {
      got.add(next(back).text());
    }
    for (CompletableFuture<Long> f : sends) {
      f.get(60, TimeUnit.SECONDS);
    }
    // In order unless the mailbox got room while later sends were already on the wire.
    assertThat(got).containsExactlyInAnyOrder("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9");
  }

  @Test
  void hundredConversationsHundredMessagesEachAllDeliveredOnce() throws Exception {
    Peer alice = peer("alice");
    Peer bob = peer("bob");
    int conversations = 100;
    int messages = 100;
    List<Conversation> senders = new ArrayList<>();
    List<Conversation> receivers = new ArrayList<>();
    for (int i = 0; i < conversations; i++) {
      PendingInvitation inv = alice.invite("bob" + i, Duration.ofHours(1));
      Conversation toAlice = bob.accept(inv.invitation(), "alice" + i);
      senders.add(toAlice);
      toAlice.send("open").get(60, TimeUnit.SECONDS);
      receivers.add(inv.accepted().get(60, TimeUnit.SECONDS));
    }
    Map<String, Map<Long, Integer>> seen = new ConcurrentHashMap<>();
    CountDownLatch all = new CountDownLatch(conversations * (messages + 1));
    for (Conversation r : receivers) {
      r.onMessage(m -> {
        seen.computeIfAbsent(m.conversation(), k -> new ConcurrentHashMap<>()).merge(m.sequence(), 1, Integer::sum);
        all.countDown();
      });
    }
    List<CompletableFuture<Long>> sends = new ArrayList<>();
    for (int i = 1; i <= messages; i++) {
      for (Conversation s : senders) {
        sends.add(s.send("m" + i));
      }
      if (i % 10 == 0) {
        CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
      }
    }
    assertThat(all.await(180, TimeUnit.SECONDS)).as("all delivered").isTrue();
    assertThat(seen).hasSize(conversations);
    for (Map<Long, Integer> perConversation : seen.values()) {
      assertThat(perConversation).hasSize(messages + 1);
      assertThat(perConversation.values()).allMatch(n -> n == 1);
    }
    System.out.printf("100 x 100: stage of the receiver ran %s%n", ((RuntimePeer) alice).stageCounters());
  }

  @Test
  void theNetworkTimeoutIsTheBuildersAndAcceptFailsWithinIt() throws Exception {
    Peer alice = peer("alice");
    var inv = alice.createInvitation("bob", Duration.ofHours(1));
    relay.close();
    Peer bob = Peer.builder().stateDirectory(dir.resolve("bob")).relay(inv.relay())
        .networkTimeout(Duration.ofMillis(800)).build();
    closeables.add(0, bob);
    long start = System.nanoTime();
    assertThatThrownBy(() -> bob.accept(inv, "alice"))
        .isInstanceOf(dev.backchannel.api.error.RelayUnavailableException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    relay = RelayServer.start(RelayConfig.builder(dir.resolve("relay")).port(0).build());
  }
}
