package dev.backchannel.crypto.atrest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backchannel.api.error.AuthenticationFailedException;
import dev.backchannel.api.error.MalformedInputException;
import dev.backchannel.crypto.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class StateSealerTest {
  private final byte[] plaintext = "session state bytes".getBytes(StandardCharsets.UTF_8);

  @Test
  void roundTripAndNoPlaintextInSealedBytes() throws Exception {
    try (SecretBytes key = SecretBytes.random(32);
        StateSealer sealer = new StateSealer(key)) {
      byte[] sealed = sealer.seal("session/abc", plaintext);
      assertThat(sealed).hasSize(plaintext.length + StateSealer.OVERHEAD);
      assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("session state");
      assertThat(sealer.open("session/abc", sealed)).isEqualTo(plaintext);
      // Fresh nonce each time: two seals of the same record differ.
      assertThat(sealer.seal("session/abc", plaintext)).isNotEqualTo(sealed);
    }
  }

  @Test
  void wrongKeyWrongNameAndEveryBitFlipAreRejected() {
    try (SecretBytes key = SecretBytes.random(32);
        SecretBytes other = SecretBytes.random(32);
        StateSealer sealer = new StateSealer(key);
        StateSealer wrong = new StateSealer(other)) {
      byte[] sealed = sealer.seal("identity", plaintext);
      assertThatThrownBy(() -> wrong.open("identity", sealed))
          .isInstanceOf(AuthenticationFailedException.class);
      assertThatThrownBy(() -> sealer.open("identity2", sealed))
          .isInstanceOf(AuthenticationFailedException.class);
      // Bits of the version byte (0..7) make it malformed; every other bit fails authentication.
      for (int i = 8; i < sealed.length * 8; i++) {
        byte[] t = sealed.clone();
        t[i / 8] ^= (byte) (1 << (i % 8));
        assertThatThrownBy(() -> sealer.open("identity", t))
            .isInstanceOf(AuthenticationFailedException.class);
      }
    }
  }

  @Test
  void truncatedOrUnknownVersionIsMalformed() {
    try (SecretBytes key = SecretBytes.random(32);
        StateSealer sealer = new StateSealer(key)) {
      byte[] sealed = sealer.seal("x", plaintext);
      assertThatThrownBy(() -> sealer.open("x", Arrays.copyOf(sealed, 10)))
          .isInstanceOf(MalformedInputException.class);
      byte[] v2 = sealed.clone();
      v2[0] = 2;
      assertThatThrownBy(() -> sealer.open("x", v2)).isInstanceOf(MalformedInputException.class);
      assertThat(sealer.toString()).doesNotContain("[B");
    }
  }
}
