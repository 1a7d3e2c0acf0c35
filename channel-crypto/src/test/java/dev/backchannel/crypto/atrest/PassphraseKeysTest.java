package dev.backchannel.crypto.atrest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backchannel.crypto.InsecureSecretAccess;
import dev.backchannel.crypto.SecretBytes;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class PassphraseKeysTest {
  private static final Argon2idParameters CHEAP = new Argon2idParameters(64, 1, 1);

  /** RFC 9106, section 5.3: the Argon2id test vector. */
  @Test
  void rfc9106Argon2idKnownAnswer() {
    byte[] password = fill(32, 0x01);
    byte[] salt = fill(16, 0x02);
    byte[] secret = fill(8, 0x03);
    byte[] ad = fill(12, 0x04);
    byte[] tag =
        PassphraseKeys.argon2id(password, salt, secret, ad, new Argon2idParameters(32, 3, 4), 32);
    assertThat(HexFormat.of().formatHex(tag))
        .isEqualTo("0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659");
  }

  @Test
  void sameInputsGiveSameKeyAndThePassphraseIsZeroed() {
    byte[] salt = fill(16, 7);
    char[] p1 = "correct horse".toCharArray();
    char[] p2 = "correct horse".toCharArray();
    try (SecretBytes k1 = PassphraseKeys.derive(p1, salt, CHEAP);
        SecretBytes k2 = PassphraseKeys.derive(p2, salt, CHEAP)) {
      assertThat(k1.equalsConstantTime(k2)).isTrue();
      assertThat(k1.length()).isEqualTo(32);
    }
    assertThat(new String(p1)).isEqualTo("\0".repeat(13));
  }

  @Test
  void differentPassphraseOrSaltGivesDifferentKey() {
    try (SecretBytes a = PassphraseKeys.derive("one".toCharArray(), fill(16, 1), CHEAP);
        SecretBytes b = PassphraseKeys.derive("two".toCharArray(), fill(16, 1), CHEAP);
        SecretBytes c = PassphraseKeys.derive("one".toCharArray(), fill(16, 2), CHEAP)) {
      assertThat(a.equalsConstantTime(b)).isFalse();
      assertThat(a.equalsConstantTime(c)).isFalse();
      assertThat(Arrays.equals(a.toByteArray(InsecureSecretAccess.get()), new byte[32])).isFalse();
    }
  }

  @Test
  void badArgumentsAreRefusedWithTheRuleNamed() {
    assertThatThrownBy(() -> PassphraseKeys.derive("x".toCharArray(), new byte[15], CHEAP))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("16");
    assertThatThrownBy(() -> PassphraseKeys.derive(new char[0], new byte[16], CHEAP))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Argon2idParameters(4, 1, 1))
        .hasMessageContaining("memoryKiB");
    assertThatThrownBy(() -> new Argon2idParameters(64, 0, 1))
        .hasMessageContaining("iterations");
  }

  private static byte[] fill(int n, int v) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) v);
    return b;
  }
}
