package dev.backchannel.netty.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backchannel.api.Conversation;
import dev.backchannel.api.Peer;
import dev.backchannel.api.error.RelayErrorCode;
import dev.backchannel.api.error.RelayRejectedException;
import dev.backchannel.netty.relay.RelayConfig;
import dev.backchannel.netty.relay.RelayServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A public relay that lets only holders of its admission secret create (smp-server's
 * {@code create_password}): a peer whose home it is needs the secret to make an invitation; its
 * contact, whose home is another relay, sends to it without one.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PeerAdmissionIntegrationTest {
  @TempDir Path dir;

  static final byte[] SECRET = "the operator's admission secret!".getBytes(StandardCharsets.US_ASCII);

  @Test
  void onlyAPeerHoldingTheSecretMakesInvitationsThereAndAnyoneTalksToIt() throws Exception {
    try (RelayServer guarded = RelayServer.start(RelayConfig.builder(dir.resolve("guarded")).port(0)
            .admissionSecret(SECRET).build());
        RelayServer open = RelayServer.start(RelayConfig.builder(dir.resolve("open")).port(0).build())) {
      try (Peer outsider = Peer.builder().stateDirectory(dir.resolve("outsider")).relay(guarded.address())
          .networkTimeout(Duration.ofSeconds(20)).build()) {
        assertThatThrownBy(() -> outsider.createInvitation("bob", Duration.ofHours(1)))
            .isInstanceOfSatisfying(RelayRejectedException.class,
                e -> assertThat(e.code()).isEqualTo(RelayErrorCode.ADMISSION_REQUIRED));
      }
      byte[] given = SECRET.clone();
      try (Peer alice = Peer.builder().stateDirectory(dir.resolve("alice")).relay(guarded.address())
              .homeRelayAdmissionSecret(given).build();
          Peer bob = Peer.builder().stateDirectory(dir.resolve("bob")).relay(open.address()).build()) {
        assertThat(given).as("the caller's array is left alone").isEqualTo(SECRET);
        PeerTestSupport.Pair pair = PeerTestSupport.introduce(alice, bob);
        Conversation toBob = pair.toBob();
        Conversation toAlice = pair.toAlice();
        toAlice.send("to the guarded relay").get(60, TimeUnit.SECONDS);
        assertThat(toBob.receive(Duration.ofSeconds(60)).orElseThrow().text()).isEqualTo("to the guarded relay");
        toBob.send("from it").get(60, TimeUnit.SECONDS);
        assertThat(toAlice.receive(Duration.ofSeconds(60)).orElseThrow().text()).isEqualTo("from it");
      }
    }
    assertThatThrownBy(() -> Peer.builder().homeRelayAdmissionSecret(new byte[8]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("16..64");
  }
}
