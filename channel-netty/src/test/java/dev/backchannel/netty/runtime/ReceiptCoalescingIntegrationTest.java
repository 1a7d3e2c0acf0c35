package dev.backchannel.netty.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backchannel.api.Conversation;
import dev.backchannel.api.Peer;
import dev.backchannel.netty.relay.RelayConfig;
import dev.backchannel.netty.relay.RelayServer;
import dev.backchannel.netty.store.RocksDbMailboxStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Receipts held for a user message to ride on: messages received one at a time are confirmed by
 * a few receipt envelopes, not one each, every message is still confirmed, and receipts held when
 * the receiver stops go out when it is opened again.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReceiptCoalescingIntegrationTest {
  private static final int MESSAGES = 40;

  @TempDir Path dir;
  AgreementDeniabilityTest.RecordingStore recorded;
  RelayServer relay;
  Peer alice;
  Peer bob;
  Conversation toBob;
  Conversation toAlice;
  final Set<Long> delivered = new ConcurrentSkipListSet<>();

  @BeforeEach
  void meet() throws Exception {
    recorded = new AgreementDeniabilityTest.RecordingStore(new RocksDbMailboxStore(dir.resolve("relay/store")));
    relay = RelayServer.start(RelayConfig.builder(dir.resolve("relay")).port(0).mailboxStore(recorded).build());
    alice = open("alice");
    bob = open("bob");
    PeerTestSupport.Pair p = PeerTestSupport.introduce(alice, bob);
    toAlice = p.toAlice();
    toBob = p.toBob();
    toBob.onDelivered(delivered::add);
  }

  @AfterEach
  void close() {
    PeerTestSupport.closeAll(relay, alice, bob);
  }

  Peer open(String name) throws Exception {
    return PeerTestSupport.open(dir, relay, name);
  }

  private void awaitDelivered(Set<Long> expected) throws InterruptedException {
    awaitConfirmed(delivered, expected);
  }

  /** Waits up to 30 s for {@code confirmed} to hold {@code expected}, then checks that it does. */
  private static void awaitConfirmed(java.util.Collection<Long> confirmed, Set<Long> expected) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!confirmed.containsAll(expected) && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(confirmed).as("every message confirmed").containsAll(expected);
  }

  @Test
  void messagesReceivedOneAtATimeAreConfirmedByFewReceipts() throws Exception {
    awaitDelivered(Set.of(1L)); // "hello" of the introduction
    int before = recorded.bodies.size();
    Set<Long> sent = new java.util.TreeSet<>();
    for (int i = 0; i < MESSAGES; i++) {
      sent.add(toBob.send("one at a time " + i).get(30, TimeUnit.SECONDS));
      assertThat(toAlice.receive(Duration.ofSeconds(30)).orElseThrow().text()).isEqualTo("one at a time " + i);
    }
    awaitDelivered(sent);
    int receipts = recorded.bodies.size() - before - MESSAGES;
    // One receipt envelope per message before receipts were held; now one per 100 ms at most
    // (plus one per receipt that had to go at once), however the batches fall.
    assertThat(receipts).as("receipt envelopes for %d messages", MESSAGES).isBetween(1, MESSAGES / 2);
  }

  @Test
  void aReplyCarriesTheReceiptAndNothingIsConfirmedTwice() throws Exception {
    awaitDelivered(Set.of(1L));
    long first = toBob.send("question").get(30, TimeUnit.SECONDS);
    assertThat(toAlice.receive(Duration.ofSeconds(30)).orElseThrow().text()).isEqualTo("question");
    toAlice.send("answer").get(30, TimeUnit.SECONDS);
    assertThat(toBob.receive(Duration.ofSeconds(30)).orElseThrow().text()).isEqualTo("answer");
    awaitDelivered(Set.of(first));
    java.util.List<Long> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    toBob.onDelivered(seen::add);
    long second = toBob.send("again").get(30, TimeUnit.SECONDS);
    assertThat(toAlice.receive(Duration.ofSeconds(30)).orElseThrow().text()).isEqualTo("again");
    awaitConfirmed(seen, Set.of(second));
    assertThat(seen).as("each confirmed once").containsExactly(second);
  }

  @Test
  void receiptsHeldWhenTheReceiverStopsGoWhenItOpensAgain() throws Exception {
    awaitDelivered(Set.of(1L));
    Set<Long> sent = LongStream.range(0, 5).mapToObj(i -> toBob.send("before the stop " + i))
        .map(f -> f.join()).collect(Collectors.toSet());
    for (int i = 0; i < 5; i++) {
      assertThat(toAlice.receive(Duration.ofSeconds(30))).isPresent();
    }
    bob.close(); // at once: the last receipts are likely still held (written in Bob's record)
    bob = open("bob");
    awaitDelivered(sent);
  }
}
