package dev.backchannel.netty.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backchannel.api.Conversation;
import dev.backchannel.api.Invitation;
import dev.backchannel.api.Message;
import dev.backchannel.api.Peer;
import dev.backchannel.api.error.InvalidInvitationException;
import dev.backchannel.api.error.StateStoreException;
import dev.backchannel.netty.relay.RelayConfig;
import dev.backchannel.netty.relay.RelayServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Two peers through a real relay on loopback, as an embedding application uses them. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PeerIntegrationTest {
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

  private Peer peer(String name, char[] passphrase) throws Exception {
    var b = Peer.builder().stateDirectory(dir.resolve(name)).relay(relay.address());
    if (passphrase != null) {
      b.passphrase(passphrase);
    }
    Peer p = b.build();
    closeables.add(0, p);
    return p;
  }

  private static Conversation await(Peer p, String name) throws InterruptedException {
    for (int i = 0; i < 400; i++) {
      Optional<Conversation> c = p.conversation(name);
      if (c.isPresent()) {
        return c.get();
      }
      Thread.sleep(25);
    }
    throw new AssertionError("no conversation " + name);
  }

  /**
   * Bob accepts Alice's invitation and each side sends one message, so both are established:
   * returns {@code [bob's conversation with alice, alice's conversation with bob]}.
   */
  private static Conversation[] established(Peer alice, Peer bob) throws Exception {
    Conversation toAlice = bob.accept(alice.createInvitation("bob", Duration.ofHours(1)), "alice");
    toAlice.send("hi").get(30, TimeUnit.SECONDS);
    Conversation toBob = await(alice, "bob");
    assertThat(next(toBob).text()).isEqualTo("hi");
    toBob.send("hello").get(30, TimeUnit.SECONDS);
    assertThat(next(toAlice).text()).isEqualTo("hello");
    return new Conversation[] {toAlice, toBob};
  }

  private static Message next(Conversation c) throws InterruptedException {
    return c.receive(Duration.ofSeconds(30)).orElseThrow(() -> new AssertionError("no message"));
  }

  /** Invite, accept, talk both ways, receipts, equal safety numbers, verify. */
  @Test
  void inviteAcceptTalkAndVerify() throws Exception {
    Peer alice = peer("alice", null);
    Peer bob = peer("bob", null);
    Invitation inv = alice.createInvitation("bob", Duration.ofHours(1));
    String code = inv.toCompactString();
    assertThat(code).startsWith("bc1-").hasSizeLessThan(200);

    List<Long> delivered = new CopyOnWriteArrayList<>();
    Conversation toAlice = bob.accept(Invitation.parse(code), "alice");
    toAlice.onDelivered(delivered::add);
    assertThat(toAlice.send("hello, this is bob").get(30, TimeUnit.SECONDS)).isEqualTo(1);

    Conversation toBob = await(alice, "bob");
    Message m = next(toBob);
    assertThat(m.text()).isEqualTo("hello, this is bob");
    assertThat(m.sequence()).isEqualTo(1);
    assertThat(toBob.send("welcome, bob").get(30, TimeUnit.SECONDS)).isEqualTo(1);
    assertThat(next(toAlice).text()).isEqualTo("welcome, bob");
    assertThat(toAlice.isEstablished()).isTrue();
    toAlice.send("second").get(30, TimeUnit.SECONDS);
    assertThat(next(toBob).text()).isEqualTo("second");

    assertThat(toAlice.safetyNumber()).isEqualTo(toBob.safetyNumber());
    assertThat(toAlice.isVerified()).isFalse();
    toAlice.markVerified();
    assertThat(toAlice.isVerified()).isTrue();
    for (int i = 0; i < 100 && delivered.size() < 2; i++) {
      Thread.sleep(50);
    }
    assertThat(delivered).contains(1L, 2L);

    // The invitation was single-use.
    assertThatThrownBy(() -> peer("carol", null).accept(Invitation.parse(code), "alice"))
        .isInstanceOf(InvalidInvitationException.class)
        .satisfies(e -> assertThat(((InvalidInvitationException) e).reason())
            .isEqualTo(InvalidInvitationException.Reason.USED));
  }

  /** Peers on different home relays: each side's mailbox lives on its own relay. */
  @Test
  void peersOnDifferentRelaysTalk() throws Exception {
    RelayServer second = RelayServer.start(RelayConfig.builder(dir.resolve("relay-b")).port(0).build());
    closeables.add(second);
    Peer alice = peer("alice", null);
    Peer bob = Peer.builder().stateDirectory(dir.resolve("bob")).relay(second.address()).build();
    closeables.add(0, bob);
    Conversation toAlice = bob.accept(alice.createInvitation("bob", Duration.ofHours(1)), "alice");
    toAlice.send("from relay b").get(30, TimeUnit.SECONDS);
    Conversation toBob = await(alice, "bob");
    assertThat(next(toBob).text()).isEqualTo("from relay b");
    toBob.send("from relay a").get(30, TimeUnit.SECONDS);
    assertThat(next(toAlice).text()).isEqualTo("from relay a");
    toAlice.send("again").get(30, TimeUnit.SECONDS);
    assertThat(next(toBob).text()).isEqualTo("again");
    // Each relay stored only the envelopes addressed to its own peer's mailboxes.
    assertThat(second.counters().stored()).isPositive();
    assertThat(relay.counters().stored()).isPositive();
    toBob.rotateMailboxes().get(30, TimeUnit.SECONDS);
    toAlice.send("after rotation").get(30, TimeUnit.SECONDS);
    assertThat(next(toBob).text()).isEqualTo("after rotation");
  }

  /** Mailbox rotation: both sides move to fresh mailboxes and keep talking, also after a restart. */
  @Test
  void mailboxesRotateOnDemand() throws Exception {
    Peer alice = peer("alice", null);
    Peer bob = peer("bob", null);
    Conversation[] c = established(alice, bob);
    Conversation toAlice = c[0];
    Conversation toBob = c[1];
    long mailboxesBefore = relay.counters().stored();

    toBob.rotateMailboxes().get(30, TimeUnit.SECONDS);
    toAlice.send("to the new mailbox").get(30, TimeUnit.SECONDS);
    assertThat(next(toBob).text()).isEqualTo("to the new mailbox");
    toAlice.rotateMailboxes().get(30, TimeUnit.SECONDS);
    toBob.send("and back").get(30, TimeUnit.SECONDS);
    assertThat(next(toAlice).text()).isEqualTo("and back");
    assertThat(relay.counters().stored()).isGreaterThan(mailboxesBefore);

    bob.close();
    closeables.remove(bob);
    toBob.send("after restart").get(30, TimeUnit.SECONDS);
    Conversation again = peer("bob", null).conversation("alice").orElseThrow();
    assertThat(next(again).text()).isEqualTo("after restart");
    again.send("still here").get(30, TimeUnit.SECONDS);
    assertThat(next(toBob).text()).isEqualTo("still here");
  }

  /** A message the relay dropped (here: it expired unread) is reported as a gap. */
  @Test
  void droppedMessageIsReportedAsAGap() throws Exception {
    relay.close();
    relay = RelayServer.start(RelayConfig.builder(dir.resolve("relay2")).port(0)
        .envelopeTtl(Duration.ofSeconds(2)).build());
    Peer alice = peer("alice", null);
    Peer bob = peer("bob", null);
    Conversation toBob = established(alice, bob)[1];
    bob.close();
    closeables.remove(bob);
    toBob.send("this one expires at the relay").get(30, TimeUnit.SECONDS);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (relay.counters().expired() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(relay.counters().expired()).isPositive();
    toBob.send("this one arrives").get(30, TimeUnit.SECONDS);
    Peer bobAgain = peer("bob", null);
    Conversation back = bobAgain.conversation("alice").orElseThrow();
    List<Long> gaps = new CopyOnWriteArrayList<>();
    back.onGap(g -> { for (long s = g.from(); s <= g.to(); s++) { gaps.add(s); } });
    Message m = next(back);
    assertThat(m.text()).isEqualTo("this one arrives");
    assertThat(m.sequence()).isEqualTo(3);
    for (int i = 0; i < 100 && gaps.isEmpty(); i++) {
      Thread.sleep(20);
    }
    assertThat(gaps).containsExactly(2L);
  }

  /** One side closed while the other sends 100: on reopening it reads all 100, in order, once. */
  @Test
  void offlineDeliveryOfAHundredMessages() throws Exception {
    Peer alice = peer("alice", null);
    Peer bob = peer("bob", null);
    Conversation toBob = established(alice, bob)[1];

    bob.close();
    closeables.remove(bob);
    for (int i = 1; i <= 100; i++) {
      toBob.send("offline " + i).get(30, TimeUnit.SECONDS);
    }
    Peer bobAgain = peer("bob", null);
    Conversation back = bobAgain.conversation("alice").orElseThrow();
    for (int i = 1; i <= 100; i++) {
      Message m = next(back);
      assertThat(m.text()).isEqualTo("offline " + i);
      assertThat(m.sequence()).isEqualTo(i + 1);
    }
    assertThat(back.receive(Duration.ofMillis(500))).isEmpty();
  }

  /** With a passphrase, the state holds no plaintext and no key bytes; a wrong one is refused. */
  @Test
  void stateAtRestAndRelayViewHoldNoPlaintextOrIdentity() throws Exception {
    char[] pass = "correct horse battery staple".toCharArray();
    Peer alice = peer("alice", pass.clone());
    Peer bob = peer("bob", "another passphrase".toCharArray());
    String secretText = "the meeting is at the old embassy at nine";
    Conversation toAlice = bob.accept(alice.createInvitation("envoy-q3", Duration.ofHours(1)), "minister-x7");
    toAlice.send(secretText).get(30, TimeUnit.SECONDS);
    Conversation toBob = await(alice, "envoy-q3");
    assertThat(next(toBob).text()).isEqualTo(secretText);
    toBob.send(secretText + " (confirmed)").get(30, TimeUnit.SECONDS);
    assertThat(next(toAlice).text()).isEqualTo(secretText + " (confirmed)");
    String aliceFingerprint = HexFormat.of().formatHex(alice.fingerprint());
    String bobFingerprint = HexFormat.of().formatHex(bob.fingerprint());
    alice.close();
    bob.close();
    closeables.clear();
    relay.close();

    for (Path p : List.of(dir.resolve("alice"), dir.resolve("bob"), dir.resolve("relay"))) {
      String all = readAll(p);
      assertThat(all).as(p + " holds no plaintext").doesNotContain(secretText.substring(0, 20));
      assertThat(all).as(p + " holds no fingerprint").doesNotContain(aliceFingerprint.substring(0, 24))
          .doesNotContain(bobFingerprint.substring(0, 24));
      assertThat(all).as(p + " holds no contact name").doesNotContain("envoy-q3").doesNotContain("minister-x7");
    }
    // The logs (relay and peers share this test JVM's log file) hold none of it either.
    String logs = Files.readString(Path.of("target/test-logs.txt"), StandardCharsets.ISO_8859_1);
    assertThat(logs).contains("relay listening");
    assertThat(logs).doesNotContain(secretText.substring(0, 20))
        .doesNotContain(aliceFingerprint.substring(0, 16)).doesNotContain(bobFingerprint.substring(0, 16))
        .doesNotContain("envoy-q3").doesNotContain("minister-x7");
    assertThatThrownBy(() -> Peer.builder().stateDirectory(dir.resolve("alice"))
        .relay(relay.address()).passphrase("wrong".toCharArray()).build())
        .isInstanceOf(StateStoreException.class).hasMessageContaining("wrong passphrase");
    assertThatThrownBy(() -> Peer.builder().stateDirectory(dir.resolve("alice"))
        .relay(relay.address()).build())
        .isInstanceOf(StateStoreException.class).hasMessageContaining("passphrase");
    relay = RelayServer.start(RelayConfig.builder(dir.resolve("relay")).port(0).build());
  }

  /** Every file's bytes as ISO-8859-1 text plus their hex, to search for strings and key hex. */
  private static String readAll(Path root) throws IOException {
    StringBuilder b = new StringBuilder();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        byte[] bytes = Files.readAllBytes(f);
        b.append(new String(bytes, StandardCharsets.ISO_8859_1)).append('\n');
        b.append(HexFormat.of().formatHex(bytes)).append('\n');
      }
    }
    return b.toString();
  }
}
