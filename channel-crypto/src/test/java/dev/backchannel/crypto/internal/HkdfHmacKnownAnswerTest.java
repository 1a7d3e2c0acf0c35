package dev.backchannel.crypto.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** HKDF-SHA256 (RFC 5869) and HMAC-SHA256 (RFC 4231) plus every Wycheproof case. */
class HkdfHmacKnownAnswerTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void rfc5869Cases1And3() {
    byte[] ikm = new byte[22];
    Arrays.fill(ikm, (byte) 0x0b);
    byte[] salt = HEX.parseHex("000102030405060708090a0b0c");
    byte[] info = HEX.parseHex("f0f1f2f3f4f5f6f7f8f9");
    assertThat(HEX.formatHex(Hkdf.extract(salt, ikm)))
        .isEqualTo("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5");
    assertThat(HEX.formatHex(Hkdf.derive(salt, ikm, info, 42)))
        .isEqualTo("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
    assertThat(HEX.formatHex(Hkdf.extract(new byte[0], ikm)))
        .isEqualTo("19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04");
    assertThat(HEX.formatHex(Hkdf.derive(null, ikm, new byte[0], 42)))
        .isEqualTo("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
  }

  @Test
  void fastPathsGiveTheSameBytes() {
    byte[] ikm = new byte[22];
    Arrays.fill(ikm, (byte) 0x0b);
    // RFC 5869 case 3 (zero salt, empty info): the first 32 bytes of its OKM.
    assertThat(HEX.formatHex(Hkdf.deriveZeroSalt32(ikm, new byte[0])))
        .isEqualTo("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d");
    byte[] info = "Backchannel-v1 ratchet message".getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < 50; i++) {
      byte[] k = Arrays.copyOf(ikm, 32);
      k[i % 32] ^= (byte) i;
      assertThat(Hkdf.deriveZeroSalt32(k, info)).isEqualTo(Hkdf.derive(null, k, info, 32));
      byte[][] pair = Hmac.macPair(k, (byte) 1, (byte) 2);
      assertThat(pair[0]).isEqualTo(Hmac.mac(k, new byte[] {1}));
      assertThat(pair[1]).isEqualTo(Hmac.mac(k, new byte[] {2}));
    }
  }

  @Test
  void rfc4231Cases1And2() {
    byte[] k1 = new byte[20];
    Arrays.fill(k1, (byte) 0x0b);
    assertThat(HEX.formatHex(Hmac.mac(k1, "Hi There".getBytes(StandardCharsets.US_ASCII))))
        .isEqualTo("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    assertThat(HEX.formatHex(Hmac.mac("Jefe".getBytes(StandardCharsets.US_ASCII),
            "what do ya want for nothing?".getBytes(StandardCharsets.US_ASCII))))
        .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  }

  @Test
  void everyWycheproofHkdfCase() {
    int valid = 0;
    int refused = 0;
    for (Wycheproof.Case c : Wycheproof.cases("hkdf_sha256_test.json")) {
      int size = c.test().get("size").asInt();
      if (c.result().equals("valid")) {
        assertThat(Hkdf.derive(c.hex("salt"), c.hex("ikm"), c.hex("info"), size))
            .as(c.toString()).isEqualTo(c.hex("okm"));
        valid++;
      } else {
        assertThat(c.flags()).contains("SizeTooLarge");
        assertThatThrownBy(() -> Hkdf.derive(c.hex("salt"), c.hex("ikm"), c.hex("info"), size))
            .as(c.toString()).isInstanceOf(IllegalArgumentException.class);
        refused++;
      }
    }
    System.out.printf("HKDF-SHA256 Wycheproof: %d valid, %d SizeTooLarge refused%n", valid, refused);
    assertThat(valid).isEqualTo(83);
    assertThat(refused).isEqualTo(3);
  }

  @Test
  void everyWycheproofHmacCase() {
    int valid = 0;
    int invalid = 0;
    for (Wycheproof.Case c : Wycheproof.cases("hmac_sha256_test.json")) {
      boolean ok = Hmac.verify(c.hex("key"), c.hex("msg"), c.hex("tag"));
      if (c.result().equals("valid")) {
        assertThat(ok).as(c.toString()).isTrue();
        if (c.hex("tag").length == 32) {
          assertThat(Hmac.mac(c.hex("key"), c.hex("msg"))).isEqualTo(c.hex("tag"));
        }
        valid++;
      } else {
        assertThat(ok).as(c.toString()).isFalse();
        invalid++;
      }
    }
    System.out.printf("HMAC-SHA256 Wycheproof: %d valid, %d invalid rejected%n", valid, invalid);
    assertThat(valid).isEqualTo(66);
    assertThat(invalid).isEqualTo(108);
  }
}
