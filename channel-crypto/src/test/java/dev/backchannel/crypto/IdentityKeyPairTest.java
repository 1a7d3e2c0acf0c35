package dev.backchannel.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backchannel.api.SafetyNumber;
import dev.backchannel.api.error.AuthenticationFailedException;
import dev.backchannel.api.error.MalformedInputException;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IdentityKeyPairTest {
  @Test
  void publicIdentityRoundTripsAndIsVerified() throws Exception {
    try (IdentityKeyPair id = IdentityKeyPair.generate()) {
      IdentityPublicKey pub = IdentityPublicKey.parse(id.publicKey().encoded());
      assertThat(pub).isEqualTo(id.publicKey());
      assertThat(pub.fingerprint()).hasSize(32);
      assertThat(pub.hasFingerprint(id.publicKey().fingerprint())).isTrue();
      byte[] enc = pub.encoded();
      for (int i = 0; i < enc.length; i++) {
        byte[] t = enc.clone();
        t[i] ^= 0x01;
        assertThatThrownBy(() -> IdentityPublicKey.parse(t))
            .as("byte %d", i)
            .isInstanceOfAny(AuthenticationFailedException.class, MalformedInputException.class);
      }
      assertThatThrownBy(() -> IdentityPublicKey.parse(new byte[127]))
          .isInstanceOf(MalformedInputException.class);
    }
  }

  @Test
  void privateIdentityRoundTripsAndNeverPrintsKeys() throws Exception {
    try (IdentityKeyPair id = IdentityKeyPair.generate()) {
      byte[] bytes = id.toByteArray();
      try (IdentityKeyPair back = IdentityKeyPair.parse(bytes)) {
        assertThat(back.publicKey()).isEqualTo(id.publicKey());
        byte[] msg = {1, 2, 3};
        assertThat(id.publicKey().verify(msg, back.sign(msg))).isTrue();
      }
      String printed = id + " " + id.publicKey();
      String privateHex = HexFormat.of().formatHex(bytes);
      for (int i = 0; i + 16 <= privateHex.length(); i += 8) {
        assertThat(printed).doesNotContain(privateHex.substring(i, i + 16));
      }
      assertThat(printed).contains("redacted");
    }
  }

  @Test
  void garbageIdentityBytesGiveTypedErrors() {
    Random r = new Random(5);
    for (int i = 0; i < 2000; i++) {
      byte[] junk = new byte[r.nextInt(200)];
      r.nextBytes(junk);
      try {
        IdentityKeyPair.parse(junk).close();
      } catch (MalformedInputException expected) {
        // typed
      }
      try {
        IdentityPublicKey.parse(junk);
      } catch (MalformedInputException | AuthenticationFailedException expected) {
        // typed
      }
    }
  }

  @Test
  void safetyNumberIsSymmetricAndDistinguishesIdentities() {
    try (IdentityKeyPair a = IdentityKeyPair.generate();
        IdentityKeyPair b = IdentityKeyPair.generate();
        IdentityKeyPair c = IdentityKeyPair.generate()) {
      SafetyNumber ab = SafetyNumbers.of(a.publicKey(), b.publicKey());
      SafetyNumber ba = SafetyNumbers.of(b.publicKey(), a.publicKey());
      assertThat(ab).isEqualTo(ba);
      assertThat(ab.digits()).hasSize(60).containsOnlyDigits();
      assertThat(ab.formatted()).matches("(\\d{5} ){11}\\d{5}");
      assertThat(SafetyNumbers.of(a.publicKey(), c.publicKey())).isNotEqualTo(ab);
      assertThat(ab.matches(ba.qrPayload())).isTrue();
      assertThat(ab.matches(ba.formatted())).isTrue();
      assertThat(ab.matches(SafetyNumbers.of(a.publicKey(), c.publicKey()).digits())).isFalse();
    }
  }
}
