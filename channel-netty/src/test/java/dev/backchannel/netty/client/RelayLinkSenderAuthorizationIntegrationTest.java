package dev.backchannel.netty.client;

import static dev.backchannel.netty.relay.RelayTestSupport.random;
import static org.assertj.core.api.Assertions.assertThat;

import dev.backchannel.crypto.Ed25519;
import dev.backchannel.crypto.SecretBytes;
import dev.backchannel.netty.relay.RelayConfig;
import dev.backchannel.netty.relay.RelayServer;
import dev.backchannel.netty.relay.RelayTestSupport.Box;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sender learns its contact's mailbox before the contact has locked it to the sender's key (the
 * lock follows the first message), so the first AuthorizeSender is refused. The link tries again
 * with backoff and is authorized soon after the lock, instead of signing every send (and making
 * the relay verify every send) for the rest of the connection.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RelayLinkSenderAuthorizationIntegrationTest {
  @TempDir Path dir;

  @Test
  void aSenderRefusedBeforeTheLockIsAuthorizedSoonAfterIt() throws Exception {
    try (RelayServer relay = RelayServer.start(RelayConfig.builder(dir.resolve("relay")).port(0).build());
        RelayLink owner = RelayLinkAdmissionIntegrationTest.link(relay, null);
        RelayLink sender = RelayLinkAdmissionIntegrationTest.link(relay, null);
        SecretBytes senderKey = Ed25519.generatePrivateKey()) {
      Box box = new Box().create(owner).subscribe(owner);
      sender.useSenderKey(box.id, senderKey);
      sender.send(box.id, random(16), "before the lock".getBytes(StandardCharsets.UTF_8)).get(20, TimeUnit.SECONDS);
      assertThat(new String(box.next().body(), StandardCharsets.UTF_8)).isEqualTo("before the lock");
      assertThat(sender.senderAuthorized(box.id).get(20, TimeUnit.SECONDS)).as("not locked yet").isFalse();

      owner.lock(box.id, box.owner, Ed25519.publicKey(senderKey)).get(20, TimeUnit.SECONDS);
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (!sender.senderAuthorized(box.id).get(20, TimeUnit.SECONDS)) {
        assertThat(System.nanoTime()).as("authorized within 20 s of the lock").isLessThan(deadline);
        Thread.sleep(20);
      }
      sender.send(box.id, random(16), "after the lock".getBytes(StandardCharsets.UTF_8)).get(20, TimeUnit.SECONDS);
      assertThat(new String(box.next().body(), StandardCharsets.UTF_8)).isEqualTo("after the lock");
    }
  }

  /**
   * A key given just before a send, while the connection is coming up, signs that send: the
   * connection may become ready (and put the outbox on the wire) before the loop has run the rest
   * of {@code useSenderKey}. With background retries off, an unsigned first send would fail LOCKED.
   */
  @Test
  void aKeyGivenJustBeforeASendSignsItWhileTheConnectionComesUp() throws Exception {
    try (RelayServer relay = RelayServer.start(RelayConfig.builder(dir.resolve("relay")).port(0).build());
        RelayLink owner = RelayLinkAdmissionIntegrationTest.link(relay, null);
        SecretBytes senderKey = Ed25519.generatePrivateKey()) {
      Box box = new Box().create(owner).subscribe(owner);
      owner.lock(box.id, box.owner, Ed25519.publicKey(senderKey)).get(20, TimeUnit.SECONDS);
      for (int round = 0; round < 40; round++) {
        try (RelayLink sender = RelayLink.builder(relay.address()).retryRefusedSends(false)
            .requestTimeout(Duration.ofSeconds(20)).build()) {
          if (round % 2 == 1) {
            sender.awaitConnected(Duration.ofSeconds(20)); // up, but maybe not ready (hello pending)
          }
          sender.useSenderKey(box.id, senderKey);
          sender.send(box.id, random(16), new byte[] {(byte) round}).get(20, TimeUnit.SECONDS);
        }
      }
      for (int round = 0; round < 40; round++) {
        assertThat(box.next().body()).as("delivered in order").containsExactly((byte) round);
      }
    }
  }
}
