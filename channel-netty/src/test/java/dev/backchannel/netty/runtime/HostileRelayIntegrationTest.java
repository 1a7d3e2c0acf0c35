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
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two live peers through a real relay whose storage misbehaves (issue 7, malicious relay). For
 * every attack: the application never sees a wrong or repeated message, what was lost is
 * reported as a gap, and the conversation goes on with the next genuine message.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HostileRelayIntegrationTest {
  @TempDir Path dir;
  private HostileMailboxStore hostile;
  private RelayServer relay;
  private Peer alice;
  private Peer bob;
  private Conversation toBob;
  private Conversation toAlice;

  @BeforeEach
  void setUp() throws Exception {
    hostile = new HostileMailboxStore(new RocksDbMailboxStore(dir.resolve("relay/store")));
    relay = RelayServer.start(RelayConfig.builder(dir.resolve("relay")).port(0).mailboxStore(hostile).build());
    alice = Peer.builder().stateDirectory(dir.resolve("alice")).relay(relay.address()).build();
    bob = Peer.builder().stateDirectory(dir.resolve("bob")).relay(relay.address()).build();
    PeerTestSupport.Pair pair = PeerTestSupport.introduce(alice, bob);
    toAlice = pair.toAlice();
    toBob = pair.toBob();
  }

  @AfterEach
  void tearDown() {
    bob.close();
    alice.close();
    relay.close();
  }

  @ParameterizedTest
  @EnumSource(value = Mode.class, names = {"TAMPER", "TRUNCATE", "DROP", "DUPLICATE", "REPLAY", "REORDER",
      "INJECT", "SPLICE", "DELAY", "OLD_COPY"})
  void attackIsDetectedOrHarmlessAndTheConversationGoesOn(Mode mode) throws Exception {
    List<Long> gaps = new CopyOnWriteArrayList<>();
    toAlice.onGap(g -> { for (long s = g.from(); s <= g.to(); s++) { gaps.add(s); } });
    long started = System.nanoTime();
    hostile.mode(mode);
    List<String> sent = List.of("m1 " + mode, "m2 " + mode, "m3 " + mode);
    for (String text : sent) {
      toBob.send(text).get(30, TimeUnit.SECONDS);
    }
    List<Message> shown = new ArrayList<>();
    if (mode == Mode.OLD_COPY) {
      receiveUntilShown(shown, Set.copyOf(sent));
      Thread.sleep(500); // let the acknowledgements reach the relay
      // The three messages, and the receipts going the other way.
      assertThat(hostile.serveOldCopy()).as("the stale copy is served again").isGreaterThanOrEqualTo(3);
    }
    hostile.mode(Mode.NONE);
    assertThat(hostile.attacks.get()).as("the relay really misbehaved").isPositive();
    toBob.send("after " + mode).get(30, TimeUnit.SECONDS);

    boolean lossy = mode == Mode.TAMPER || mode == Mode.TRUNCATE || mode == Mode.DROP;
    Set<String> expected = new HashSet<>(Set.of("after " + mode));
    if (!lossy) {
      expected.addAll(sent);
    }
    receiveUntilShown(shown, expected);
    // Anything else still on its way (replays, stale copies, late reorders) must not show.
    Optional<Message> more;
    while ((more = toAlice.receive(Duration.ofMillis(mode == Mode.OLD_COPY ? 1500 : 500))).isPresent()) {
      shown.add(more.get());
    }
    Set<Long> sequences = new HashSet<>();
    for (Message m : shown) {
      assertThat(sequences.add(m.sequence())).as("sequence %d shown twice", m.sequence()).isTrue();
      assertThat(m.text()).as("only genuine texts").isIn(
          "m1 " + mode, "m2 " + mode, "m3 " + mode, "after " + mode);
      // Each text carries its own sequence: never a wrong message under a right number.
      int expectedSeq = m.text().startsWith("after") ? 5 : Integer.parseInt(m.text().substring(1, 2)) + 1;
      assertThat(m.sequence()).isEqualTo(expectedSeq);
    }
    Set<String> texts = new HashSet<>();
    shown.forEach(m -> texts.add(m.text()));
    assertThat(texts).isEqualTo(expected);
    switch (mode) {
      case TAMPER, TRUNCATE, DROP -> {
        assertThat(texts).containsOnly("after " + mode);
        for (int i = 0; i < 100 && gaps.size() < 3; i++) {
          Thread.sleep(20);
        }
        assertThat(gaps).as("the lost messages are reported").containsExactlyInAnyOrder(2L, 3L, 4L);
      }
      default -> assertThat(texts).as("nothing lost").containsAll(sent).contains("after " + mode);
    }
    if (mode == Mode.DELAY) {
      assertThat(Duration.ofNanos(System.nanoTime() - started))
          .as("the relay really held the messages back")
          .isGreaterThanOrEqualTo(Duration.ofMillis(HostileMailboxStore.DELAY_MILLIS));
    }
    // And the conversation still works both ways.
    toAlice.send("still talking").get(30, TimeUnit.SECONDS);
    assertThat(toBob.receive(Duration.ofSeconds(30)).orElseThrow().text()).isEqualTo("still talking");
  }

  private void receiveUntilShown(List<Message> shown, Set<String> texts) throws InterruptedException {
    Set<String> seen = new HashSet<>();
    shown.forEach(m -> seen.add(m.text()));
    while (!seen.containsAll(texts)) {
      Optional<Message> m = toAlice.receive(Duration.ofSeconds(30));
      assertThat(m).as("still waiting for %s", texts).isPresent();
      shown.add(m.get());
      seen.add(m.get().text());
    }
  }
}
