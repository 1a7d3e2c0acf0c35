package dev.backchannel.crypto.invitation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backchannel.api.error.AuthenticationFailedException;
import dev.backchannel.crypto.envelope.Padding;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

class InvitationSecretsTest {
  private static byte[] random(int n) {
    byte[] b = new byte[n];
    new SecureRandom().nextBytes(b);
    return b;
  }

  @Test
  void bothSidesDeriveTheSameAndSealedDataOpensOnlyWithTheSecret() throws Exception {
    byte[] secret = random(32);
    try (InvitationSecrets a = InvitationSecrets.derive(secret);
        InvitationSecrets b = InvitationSecrets.derive(secret.clone());
        InvitationSecrets other = InvitationSecrets.derive(random(32))) {
      assertThat(a.mailboxId()).isEqualTo(b.mailboxId()).isNotEqualTo(a.bundleId());
      byte[] bundle = random(1500);
      byte[] sealedBundle = a.sealBundle(bundle);
      assertThat(b.openBundle(sealedBundle)).isEqualTo(bundle);
      assertThatThrownBy(() -> other.openBundle(sealedBundle)).isInstanceOf(AuthenticationFailedException.class);
      byte[] initial = random(1600);
      byte[] sealedInitial = b.sealInitialMessage(initial);
      assertThat(Padding.BUCKETS).contains(sealedInitial.length);
      assertThat(a.openInitialMessage(sealedInitial)).isEqualTo(initial);
      // Each container has its own key and associated data: no cross-use.
      assertThatThrownBy(() -> a.openBundle(sealedInitial)).isInstanceOf(AuthenticationFailedException.class);
      assertThatThrownBy(() -> a.openInitialMessage(sealedBundle)).isInstanceOf(AuthenticationFailedException.class);
      byte[] flipped = sealedInitial.clone();
      flipped[flipped.length - 1] ^= 1;
      assertThatThrownBy(() -> a.openInitialMessage(flipped)).isInstanceOf(AuthenticationFailedException.class);
    }
  }
}
