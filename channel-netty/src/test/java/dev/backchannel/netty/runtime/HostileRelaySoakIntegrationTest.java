package dev.backchannel.netty.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backchannel.api.Conversation;
import dev.backchannel.api.Message;
import dev.backchannel.api.Peer;
import dev.backchannel.netty.relay.RelayConfig;
import dev.backchannel.netty.relay.RelayServer;
import dev.backchannel.netty.runtime.HostileMailboxStore.Mode;
import dev.backchannel.netty.store.RocksDbMailboxStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile relay soak (SECURITY-CHECKLIST §4, checklist 16-20 through the whole stack): two live
 * peers talk through a real relay whose storage, seeded, drops, duplicates, holds back (reorders)
 * and bit-flips 5 % of the envelopes each, in both directions (messages one way, delivery
 * receipts the other). Every message the application sees is genuine and shown once under its
 * own sequence number; every sequence number is either shown or reported as a gap; losses are
 * bounded by what the relay destroyed; afterwards both sides talk again. 1,000 messages in the
 * test command; {@code -Dbackchannel.soakMessages=10000} (or 100000) for the long variants and
 * {@code -Dbackchannel.soakSeed=N} to pick the seed (which envelope is hit also depends on how
 * the two directions interleave).
 */
@Timeout(value = 1800, unit = TimeUnit.SECONDS)
class HostileRelaySoakIntegrationTest {
  private static final int MESSAGES = Integer.getInteger("backchannel.soakMessages", 1_000);
  private static final long SEED = Long.getLong("backchannel.soakSeed", 20261125L);
  @TempDir Path dir;
  private RelayServer relay;
  private Peer alice;
  private Peer bob;

  @AfterEach
  void tearDown() {
    if (bob != null) {
      bob.close();
    }
    if (alice != null) {
      alice.close();
    }
    if (relay != null) {
      relay.close();
    }
  }

  @Test
  void fivePercentOfEachAttackNeverShowsAWrongOrRepeatedMessage() throws Exception {
    HostileMailboxStore hostile = new HostileMailboxStore(new RocksDbMailboxStore(dir.resolve("relay/store")));
    relay = RelayServer.start(RelayConfig.builder(dir.resolve("relay")).port(0).mailboxStore(hostile)
        .maxRequestsPerSecond(100_000).build());
    alice = Peer.builder().stateDirectory(dir.resolve("alice")).relay(relay.address()).build();
    bob = Peer.builder().stateDirectory(dir.resolve("bob")).relay(relay.address()).build();
    PeerTestSupport.Pair pair = PeerTestSupport.introduce(alice, bob);
    Conversation toAlice = pair.toAlice();
    Conversation toBob = pair.toBob();

    Set<Long> gaps = ConcurrentHashMap.newKeySet();
    toBob.onGap(g -> { for (long s = g.from(); s <= g.to(); s++) { gaps.add(s); } });
    hostile.random(SEED, 0.05);
    Map<Long, String> sentBySequence = new HashMap<>();
    List<CompletableFuture<Long>> window = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < MESSAGES; i++) {
      String text = "soak " + i + " " + Long.toHexString(SEED * 31 + i);
      texts.add(text);
      window.add(toAlice.send(text));
      if (window.size() == 50 || i == MESSAGES - 1) {
        for (int j = 0; j < window.size(); j++) {
          long seq = window.get(j).get(60, TimeUnit.SECONDS);
          sentBySequence.put(seq, texts.get(texts.size() - window.size() + j));
        }
        window.clear();
      }
    }
    hostile.mode(Mode.NONE);
    long last = toAlice.send("after the soak").get(60, TimeUnit.SECONDS);
    sentBySequence.put(last, "after the soak");

    List<Message> shown = new ArrayList<>();
    boolean sawLast = false;
    while (true) {
      Optional<Message> m = toBob.receive(Duration.ofSeconds(sawLast ? 3 : 60));
      if (m.isEmpty()) {
        break;
      }
      shown.add(m.get());
      sawLast |= m.get().sequence() == last;
    }
    assertThat(sawLast).as("the genuine message after the soak arrives").isTrue();

    Set<Long> shownSequences = new HashSet<>();
    for (Message m : shown) {
      assertThat(shownSequences.add(m.sequence())).as("sequence %d shown twice", m.sequence()).isTrue();
      assertThat(m.text()).as("sequence %d is the genuine text", m.sequence())
          .isEqualTo(sentBySequence.get(m.sequence()));
    }
    long first = sentBySequence.keySet().stream().min(Long::compare).orElseThrow();
    for (int i = 0; i < 100 && !covered(first, last, shownSequences, gaps); i++) {
      Thread.sleep(50);
    }
    Set<Long> neither = new HashSet<>();
    for (long seq = first; seq <= last; seq++) {
      if (!shownSequences.contains(seq) && !gaps.contains(seq)) {
        neither.add(seq);
      }
    }
    assertThat(neither).as("sequences neither shown nor reported as a gap").isEmpty();

    // Alice's incoming mailbox is the one with the most appends; losses are bounded by its attacks.
    long[] inbox = hostile.randomCounts.values().stream().max((x, y) -> Long.compare(x[0], y[0])).orElseThrow();
    long lost = sentBySequence.size() - shownSequences.size();
    System.out.printf("hostile soak (seed %d): %d messages; relay dropped %d, duplicated %d, held back %d,"
            + " flipped a bit in %d; shown %d, lost %d (reported as gaps: %d)%n",
        SEED, MESSAGES, inbox[1], inbox[2], inbox[3], inbox[4], shownSequences.size(), lost, gaps.size());
    assertThat(inbox[1] + inbox[2] + inbox[3] + inbox[4]).as("the relay really attacked").isPositive();
    assertThat(lost).as("only what the relay destroyed is lost").isLessThanOrEqualTo(inbox[1] + inbox[4]);

    // Both sides converge: new messages flow both ways.
    toBob.send("still talking").get(60, TimeUnit.SECONDS);
    assertThat(toAlice.receive(Duration.ofSeconds(60)).orElseThrow().text()).isEqualTo("still talking");
    toAlice.send("me too").get(60, TimeUnit.SECONDS);
    assertThat(toBob.receive(Duration.ofSeconds(60)).orElseThrow().text()).isEqualTo("me too");
  }

  private static boolean covered(long first, long last, Set<Long> shown, Set<Long> gaps) {
    for (long seq = first; seq <= last; seq++) {
      if (!shown.contains(seq) && !gaps.contains(seq)) {
        return false;
      }
    }
    return true;
  }
}
