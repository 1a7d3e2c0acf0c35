package dev.backchannel.crypto.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backchannel.crypto.Ed25519;
import dev.backchannel.crypto.InsecureSecretAccess;
import dev.backchannel.crypto.SecretBytes;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Ed25519 against RFC 8032 section 7.1 and every Wycheproof case. */
class Ed25519KnownAnswerTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void rfc8032Tests1And2() {
    check("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
    check("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00");
  }

  private static void check(String sk, String pk, String msg, String sig) {
    try (SecretBytes key = SecretBytes.copyOf(HEX.parseHex(sk), InsecureSecretAccess.get())) {
      assertThat(HEX.formatHex(Ed25519.publicKey(key))).isEqualTo(pk);
      assertThat(HEX.formatHex(Ed25519.sign(key, HEX.parseHex(msg)))).isEqualTo(sig);
      assertThat(Ed25519.verify(HEX.parseHex(pk), HEX.parseHex(msg), HEX.parseHex(sig))).isTrue();
    }
  }

  @Test
  void everyWycheproofCase() {
    int valid = 0;
    int invalid = 0;
    for (Wycheproof.Case c : Wycheproof.cases("ed25519_test.json")) {
      byte[] pk = HEX.parseHex(c.group().get("publicKey").get("pk").asText());
      boolean ok = Ed25519.verify(pk, c.hex("msg"), c.hex("sig"));
      if (c.result().equals("valid")) {
        assertThat(ok).as(c.toString()).isTrue();
        valid++;
      } else {
        assertThat(c.result()).isEqualTo("invalid");
        assertThat(ok).as(c.toString()).isFalse();
        invalid++;
      }
    }
    System.out.printf("Ed25519 Wycheproof: %d valid verified, %d invalid rejected%n", valid, invalid);
    assertThat(valid).isEqualTo(88);
    assertThat(invalid).isEqualTo(63);
  }
}
