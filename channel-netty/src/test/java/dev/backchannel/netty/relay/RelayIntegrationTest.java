package dev.backchannel.netty.relay;

import static dev.backchannel.netty.relay.RelayTestSupport.link;
import static dev.backchannel.netty.relay.RelayTestSupport.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backchannel.api.RelayAddress;
import dev.backchannel.api.error.RelayErrorCode;
import dev.backchannel.api.error.RelayRejectedException;
import dev.backchannel.api.error.UntrustedRelayException;
import dev.backchannel.crypto.Ed25519;
import dev.backchannel.crypto.SecretBytes;
import dev.backchannel.netty.client.Delivery;
import dev.backchannel.netty.client.RelayLink;
import dev.backchannel.netty.relay.RelayTestSupport.Box;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A real relay on loopback over real TLS, driven through real links. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RelayIntegrationTest {
  @TempDir Path dir;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  private RelayServer relay(RelayConfig.Builder b) throws Exception {
    RelayServer r = RelayServer.start(b.build());
    closeables.add(r);
    return r;
  }

  private RelayServer relay() throws Exception {
    return relay(RelayConfig.builder(dir).port(0));
  }

  private RelayLink open(RelayAddress a) throws Exception {
    RelayLink l = link(a);
    closeables.add(0, l);
    return l;
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : closeables) {
      c.close();
    }
  }

  @Test
  void sendReceiveAndAcknowledge() throws Exception {
    RelayServer relay = relay();
    assertThat(relay.address().toString()).startsWith("bcr://").contains("@127.0.0.1:");
    RelayLink alice = open(relay.address());
    RelayLink bob = open(relay.address());
    Box box = new Box().create(alice).subscribe(alice);
    List<byte[]> ids = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      byte[] mid = random(16);
      ids.add(mid);
      bob.send(box.id, mid, ("envelope " + i).getBytes()).get(20, TimeUnit.SECONDS);
    }
    for (int i = 0; i < 20; i++) {
      Delivery d = box.next();
      assertThat(d.messageId()).isEqualTo(ids.get(i));
      assertThat(new String(d.body())).isEqualTo("envelope " + i);
      alice.ack(box.id, d.messageId()).get(20, TimeUnit.SECONDS);
    }
    RelayCounters.Snapshot c = relay.counters();
    assertThat(c.stored()).isEqualTo(20);
    assertThat(c.acknowledged()).isEqualTo(20);
    assertThat(c.connections()).isEqualTo(2);
    // Acknowledged envelopes are gone: a new subscriber gets nothing.
    RelayLink again = open(relay.address());
    box.subscribe(again);
    bob.ping().get(20, TimeUnit.SECONDS);
    assertThat(box.received.poll(300, TimeUnit.MILLISECONDS)).isNull();
  }

  /**
   * Envelopes from several senders at once arrive once each in sequence order, whether the relay
   * hands them to the caught-up subscriber from memory or reads them back from the store (when
   * they race each other or the subscriber's channel is busy).
   */
  @Test
  void concurrentSendersAreDeliveredOnceInSequenceOrder() throws Exception {
    RelayServer relay = relay();
    RelayLink owner = open(relay.address());
    Box box = new Box().create(owner).subscribe(owner);
    List<RelayLink> senders = List.of(open(relay.address()), open(relay.address()), open(relay.address()));
    List<java.util.concurrent.CompletableFuture<Void>> sent = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      for (RelayLink s : senders) {
        sent.add(s.send(box.id, random(16), random(100)));
      }
    }
    for (var f : sent) {
      f.get(30, TimeUnit.SECONDS);
    }
    java.util.Set<java.nio.ByteBuffer> ids = new java.util.HashSet<>();
    long last = -1;
    for (int i = 0; i < 450; i++) {
      Delivery d = box.next();
      assertThat(ids.add(java.nio.ByteBuffer.wrap(d.messageId()))).as("delivered once").isTrue();
      assertThat(d.sequence()).as("in sequence order").isGreaterThan(last);
      last = d.sequence();
      owner.ack(box.id, d.messageId());
    }
    assertThat(box.received.poll(300, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void lateSubscriberGetsEverythingStoredAndRetriesAreStoredOnce() throws Exception {
    RelayServer relay = relay();
    RelayLink owner = open(relay.address());
    RelayLink sender = open(relay.address());
    Box box = new Box().create(owner);
    byte[] mid = random(16);
    for (int i = 0; i < 3; i++) {
      sender.send(box.id, mid, "same message".getBytes()).get(20, TimeUnit.SECONDS);
    }
    for (int i = 0; i < 30; i++) {
      sender.send(box.id, random(16), new byte[1024]).get(20, TimeUnit.SECONDS);
    }
    box.subscribe(owner);
    assertThat(box.next().messageId()).isEqualTo(mid);
    for (int i = 0; i < 30; i++) {
      assertThat(box.next().body()).hasSize(1024);
    }
    assertThat(relay.counters().stored()).isEqualTo(31);
  }

  @Test
  void linkReconnectsResubscribesAndResendsAfterDropsAndRestarts() throws Exception {
    RelayServer relay = relay();
    int port = relay.address().port();
    RelayLink owner = open(relay.address());
    RelayLink sender = open(relay.address());
    Box box = new Box().create(owner).subscribe(owner);
    sender.send(box.id, random(16), "before".getBytes()).get(20, TimeUnit.SECONDS);
    assertThat(new String(box.next().body())).isEqualTo("before");

    owner.disconnect();
    sender.send(box.id, random(16), "while reconnecting".getBytes()).get(20, TimeUnit.SECONDS);
    // Unacknowledged envelopes are delivered again after a reconnect (at least once).
    List<String> got = new ArrayList<>();
    while (!got.contains("while reconnecting")) {
      got.add(new String(box.next().body()));
    }

    // Restart the relay on the same data directory and port: same key, same address.
    relay.close();
    closeables.remove(relay);
    CompletableFuture<Void> pending = sender.send(box.id, random(16), "across restart".getBytes());
    RelayServer restarted = relay(RelayConfig.builder(dir).port(port));
    assertThat(restarted.address()).isEqualTo(relay.address());
    pending.get(30, TimeUnit.SECONDS);
    while (!got.contains("across restart")) {
      got.add(new String(box.next().body()));
    }
  }

  @Test
  void wrongRelayKeyIsRefusedBeforeAnythingIsSent() throws Exception {
    RelayServer relay = relay();
    RelayAddress forged = RelayAddress.of(random(32), "127.0.0.1", relay.address().port());
    RelayLink link = RelayLink.builder(forged).reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(50)).build();
    closeables.add(0, link);
    assertThatThrownBy(() -> link.awaitConnected(Duration.ofSeconds(20)))
        .isInstanceOf(UntrustedRelayException.class)
        .hasMessageContaining("does not match");
    assertThatThrownBy(() -> link.ping().get(20, TimeUnit.SECONDS))
        .hasCauseInstanceOf(UntrustedRelayException.class);
    assertThatThrownBy(() -> link.send(random(32), random(16), new byte[1]).get(20, TimeUnit.SECONDS))
        .hasCauseInstanceOf(UntrustedRelayException.class);
    assertThat(relay.counters().stored()).isZero();
  }

  @Test
  void subscribeWithAnotherKeyIsRefused() throws Exception {
    RelayServer relay = relay();
    RelayLink owner = open(relay.address());
    RelayLink thief = open(relay.address());
    Box box = new Box().create(owner);
    try (SecretBytes wrong = Ed25519.generatePrivateKey()) {
      assertThatThrownBy(() -> thief.subscribe(box.id, wrong, d -> { }).get(20, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOfSatisfying(RelayRejectedException.class,
              e -> assertThat(e.code()).isEqualTo(RelayErrorCode.UNAUTHORIZED));
    }
    assertThatThrownBy(() -> new Box().create(owner).create(owner))
        .hasCauseInstanceOf(RelayRejectedException.class);
  }

  @Test
  void lockedMailboxRefusesOtherSenders() throws Exception {
    RelayServer relay = relay();
    RelayLink owner = open(relay.address());
    RelayLink friend = open(relay.address());
    RelayLink stranger = open(relay.address());
    Box box = new Box().create(owner).subscribe(owner);
    try (SecretBytes friendKey = Ed25519.generatePrivateKey();
        SecretBytes strangerKey = Ed25519.generatePrivateKey()) {
      owner.lock(box.id, box.owner, Ed25519.publicKey(friendKey)).get(20, TimeUnit.SECONDS);
      friend.useSenderKey(box.id, friendKey);
      friend.send(box.id, random(16), "from friend".getBytes()).get(20, TimeUnit.SECONDS);
      assertThat(new String(box.next().body())).isEqualTo("from friend");
      assertThatThrownBy(() -> stranger.send(box.id, random(16), "spam".getBytes()).get(20, TimeUnit.SECONDS))
          .cause().isInstanceOfSatisfying(RelayRejectedException.class,
              e -> assertThat(e.code()).isEqualTo(RelayErrorCode.LOCKED));
      stranger.useSenderKey(box.id, strangerKey);
      assertThatThrownBy(() -> stranger.send(box.id, random(16), "spam".getBytes()).get(20, TimeUnit.SECONDS))
          .cause().isInstanceOf(RelayRejectedException.class);
    }
    assertThat(box.received.poll(200, TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void quotaExceededIsTypedAndOtherMailboxesAreUnaffected() throws Exception {
    RelayServer relay = relay(RelayConfig.builder(dir).port(0).maxEnvelopesPerMailbox(5));
    RelayLink owner = open(relay.address());
    RelayLink sender = open(relay.address());
    Box full = new Box().create(owner);
    Box other = new Box().create(owner);
    for (int i = 0; i < 5; i++) {
      sender.send(full.id, random(16), new byte[100]).get(20, TimeUnit.SECONDS);
    }
    // Over the quota: the refusal may pass, so the send stays pending and is retried in the
    // background (not only after a reconnect) until the recipient has drained the mailbox.
    java.util.concurrent.CompletableFuture<Void> over = sender.send(full.id, random(16), new byte[100]);
    assertThatThrownBy(() -> over.get(1500, TimeUnit.MILLISECONDS))
        .isInstanceOf(java.util.concurrent.TimeoutException.class);
    sender.send(other.id, random(16), new byte[100]).get(20, TimeUnit.SECONDS);
    full.subscribe(owner);
    java.util.List<byte[]> ids = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(full.next().messageId());
    }
    owner.acknowledge(full.id, ids); // one frame for all five
    over.get(30, TimeUnit.SECONDS);
    assertThat(full.next().body()).hasSize(100);
    assertThatThrownBy(() -> sender.send(random(32), random(16), new byte[100]).get(20, TimeUnit.SECONDS))
        .cause().isInstanceOfSatisfying(RelayRejectedException.class,
            e -> assertThat(e.code()).isEqualTo(RelayErrorCode.NO_SUCH_MAILBOX));
    assertThatThrownBy(() -> sender.send(other.id, random(16), new byte[70_000]).get(20, TimeUnit.SECONDS))
        .cause().isInstanceOfSatisfying(RelayRejectedException.class,
            e -> assertThat(e.code()).isEqualTo(RelayErrorCode.TOO_LARGE));
  }

  @Test
  void invitationBundlesAreStoredAndFetched() throws Exception {
    RelayServer relay = relay();
    RelayLink a = open(relay.address());
    RelayLink b = open(relay.address());
    byte[] id = random(32);
    a.putInvitation(id, "sealed bundle".getBytes(), Instant.now().plusSeconds(3600)).get(20, TimeUnit.SECONDS);
    assertThat(new String(b.fetchInvitation(id).get(20, TimeUnit.SECONDS))).isEqualTo("sealed bundle");
    assertThatThrownBy(() -> b.fetchInvitation(random(32)).get(20, TimeUnit.SECONDS))
        .cause().isInstanceOf(RelayRejectedException.class);
    assertThatThrownBy(() -> a.putInvitation(random(32), new byte[1], Instant.now().minusSeconds(1)).get(20, TimeUnit.SECONDS))
        .cause().isInstanceOf(RelayRejectedException.class);
  }

  @Test
  void deletedMailboxIsGone() throws Exception {
    RelayServer relay = relay();
    RelayLink owner = open(relay.address());
    Box box = new Box().create(owner);
    owner.send(box.id, random(16), new byte[10]).get(20, TimeUnit.SECONDS);
    owner.deleteMailbox(box.id, box.owner).get(20, TimeUnit.SECONDS);
    assertThatThrownBy(() -> owner.send(box.id, random(16), new byte[10]).get(20, TimeUnit.SECONDS))
        .cause().isInstanceOfSatisfying(RelayRejectedException.class,
            e -> assertThat(e.code()).isEqualTo(RelayErrorCode.NO_SUCH_MAILBOX));
  }
}
