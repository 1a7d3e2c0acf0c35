package dev.backchannel.netty.client;

import static dev.backchannel.netty.relay.RelayTestSupport.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backchannel.api.error.RelayErrorCode;
import dev.backchannel.api.error.RelayRejectedException;
import dev.backchannel.crypto.InsecureSecretAccess;
import dev.backchannel.crypto.SecretBytes;
import dev.backchannel.netty.relay.RelayConfig;
import dev.backchannel.netty.relay.RelayServer;
import dev.backchannel.netty.relay.RelayTestSupport.Box;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A relay that requires an admission secret, over real TLS on loopback: a link given the secret
 * creates mailboxes and invitations on every connection it makes; a link without it, or with
 * another, is refused {@code ADMISSION_REQUIRED} and can still send to a mailbox that exists.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RelayLinkAdmissionIntegrationTest {
  @TempDir Path dir;

  static final byte[] SECRET = "an admission secret of 32 bytes!".getBytes(StandardCharsets.US_ASCII);

  static RelayLink link(RelayServer relay, byte[] secret) throws Exception {
    RelayLink.Builder b = RelayLink.builder(relay.address()).requestTimeout(Duration.ofSeconds(20))
        .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(200));
    if (secret != null) {
      b.admissionSecret(SecretBytes.copyOf(secret, InsecureSecretAccess.get()));
    }
    RelayLink l = b.build();
    l.awaitConnected(Duration.ofSeconds(20));
    return l;
  }

  static RelayErrorCode refusal(CompletableFuture<?> f) {
    ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> f.get(20, TimeUnit.SECONDS));
    assertThat(e.getCause()).isInstanceOf(RelayRejectedException.class);
    return ((RelayRejectedException) e.getCause()).code();
  }

  @Test
  void onlyAHolderOfTheSecretCreatesAndEveryoneSendsToWhatExists() throws Exception {
    try (RelayServer relay = RelayServer.start(RelayConfig.builder(dir.resolve("relay")).port(0)
        .admissionSecret(SECRET).build())) {
      Box box = new Box();
      try (RelayLink stranger = link(relay, null);
          RelayLink impostor = link(relay, "another secret of thirty-two b!!".getBytes(StandardCharsets.US_ASCII));
          RelayLink holder = link(relay, SECRET)) {
        assertThat(refusal(stranger.createMailbox(box.id, box.owner))).isEqualTo(RelayErrorCode.ADMISSION_REQUIRED);
        assertThat(refusal(impostor.createMailbox(box.id, box.owner))).isEqualTo(RelayErrorCode.ADMISSION_REQUIRED);
        assertThat(refusal(stranger.putInvitation(random(32), random(300), Instant.now().plusSeconds(600))))
            .isEqualTo(RelayErrorCode.ADMISSION_REQUIRED);

        box.create(holder).subscribe(holder);
        holder.putInvitation(random(32), random(300), Instant.now().plusSeconds(600)).get(20, TimeUnit.SECONDS);
        stranger.send(box.id, random(16), "from a stranger".getBytes(StandardCharsets.UTF_8)).get(20, TimeUnit.SECONDS);
        assertThat(new String(box.next().body(), StandardCharsets.UTF_8)).isEqualTo("from a stranger");

        // A new connection has a new challenge: the holder proves itself again.
        relay.close();
      }
      try (RelayServer again = RelayServer.start(RelayConfig.builder(dir.resolve("relay"))
          .port(relay.address().port()).admissionSecret(SECRET).build());
          RelayLink holder = link(again, SECRET)) {
        Box second = new Box();
        second.create(holder);
      }
    }
    assertThatThrownBy(() -> RelayLink.builder(dev.backchannel.api.RelayAddress.parse("bcr://" + "A".repeat(43) + "@127.0.0.1:1")).admissionSecret(
        SecretBytes.copyOf(new byte[8], InsecureSecretAccess.get()))).isInstanceOf(IllegalArgumentException.class);
  }
}
