package dev.backchannel.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class SecretBytesTest {
  private static final InsecureSecretAccess ACCESS = InsecureSecretAccess.get();

  @Test
  void copiesInAndOutAndNeverPrintsTheBytes() {
    byte[] raw = HexFormat.of().parseHex("00112233445566778899aabbccddeeff");
    try (SecretBytes s = SecretBytes.copyOf(raw, ACCESS)) {
      raw[0] = 9;
      assertThat(s.toByteArray(ACCESS)[0]).isZero();
      byte[] out = s.toByteArray(ACCESS);
      out[1] = 9;
      assertThat(s.toByteArray(ACCESS)[1]).isEqualTo((byte) 0x11);
      assertThat(s.toString()).isEqualTo("SecretBytes[16 bytes, redacted]")
          .doesNotContain("112233");
    }
  }

  @Test
  void closeZeroesAndForbidsUse() {
    byte[] raw = {1, 2, 3, 4};
    SecretBytes s = SecretBytes.wrap(raw, ACCESS);
    s.close();
    assertThat(raw).containsOnly(0);
    assertThat(s.isClosed()).isTrue();
    assertThatThrownBy(() -> s.toByteArray(ACCESS)).isInstanceOf(IllegalStateException.class);
    s.close(); // idempotent
  }

  @Test
  void constantTimeEqualityAndCopies() {
    try (SecretBytes a = SecretBytes.random(32);
        SecretBytes b = a.copy();
        SecretBytes c = SecretBytes.random(32)) {
      assertThat(a.equalsConstantTime(b)).isTrue();
      assertThat(a.equalsConstantTime(c)).isFalse();
      assertThat(a).isNotEqualTo(b); // no value equality: compare with equalsConstantTime
    }
  }
}
