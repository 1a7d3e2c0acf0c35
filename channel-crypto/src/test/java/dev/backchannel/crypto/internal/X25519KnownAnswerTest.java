package dev.backchannel.crypto.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backchannel.api.error.AuthenticationFailedException;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * X25519 against RFC 7748 and every Wycheproof case. Policy (see {@link X25519}): all-zero
 * results (LowOrderPublic, ZeroSharedSecret) are refused with a typed error; every other
 * acceptable case is accepted and must give exactly the expected value.
 */
class X25519KnownAnswerTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void rfc7748Section52And61() throws Exception {
    assertThat(HEX.formatHex(X25519.agree(
            HEX.parseHex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"),
            HEX.parseHex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c"))))
        .isEqualTo("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
    byte[] a = HEX.parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    byte[] b = HEX.parseHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
    assertThat(HEX.formatHex(X25519.publicKey(a)))
        .isEqualTo("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    assertThat(HEX.formatHex(X25519.publicKey(b)))
        .isEqualTo("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    String k = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";
    assertThat(HEX.formatHex(X25519.agree(a, X25519.publicKey(b)))).isEqualTo(k);
    assertThat(HEX.formatHex(X25519.agree(b, X25519.publicKey(a)))).isEqualTo(k);
  }

  @Test
  void everyWycheproofCase() throws Exception {
    int valid = 0;
    int refusedLowOrder = 0;
    int acceptedOdd = 0;
    for (Wycheproof.Case c : Wycheproof.cases("x25519_test.json")) {
      byte[] priv = c.hex("private");
      byte[] pub = c.hex("public");
      byte[] shared = c.hex("shared");
      boolean zero = java.util.Arrays.equals(shared, new byte[32]);
      if (zero) {
        assertThat(c.result()).as(c.toString()).isEqualTo("acceptable");
        assertThatThrownBy(() -> X25519.agree(priv, pub))
            .as(c.toString())
            .isInstanceOf(AuthenticationFailedException.class);
        refusedLowOrder++;
      } else {
        assertThat(X25519.agree(priv, pub)).as(c.toString()).isEqualTo(shared);
        if (c.result().equals("valid")) {
          valid++;
        } else {
          acceptedOdd++;
        }
      }
    }
    System.out.printf("X25519 Wycheproof: %d valid, %d low-order refused, %d other acceptable accepted%n",
        valid, refusedLowOrder, acceptedOdd);
    assertThat(valid).isEqualTo(264);
    assertThat(valid + refusedLowOrder + acceptedOdd).isEqualTo(518);
    assertThat(refusedLowOrder).isPositive();
  }

  /** The small-order list agrees with the zero-result check on every Wycheproof public key. */
  @Test
  void smallOrderListMatchesTheAllZeroResultOnEveryCase() throws Exception {
    int flagged = 0;
    for (Wycheproof.Case c : Wycheproof.cases("x25519_test.json")) {
      boolean zero = java.util.Arrays.equals(c.hex("shared"), new byte[32]);
      assertThat(X25519.isSmallOrder(c.hex("public"))).as(c.toString()).isEqualTo(zero);
      if (zero) {
        flagged++;
      }
    }
    assertThat(flagged).isEqualTo(31);
    for (int i = 0; i < 200; i++) {
      assertThat(X25519.isSmallOrder(X25519.publicKey(X25519.generatePrivateKey()))).isFalse();
    }
  }

  @Test
  void everyLowOrderFlaggedCaseIsRefused() {
    int n = 0;
    for (Wycheproof.Case c : Wycheproof.cases("x25519_test.json")) {
      if (c.flags().contains("LowOrderPublic") || c.flags().contains("ZeroSharedSecret")) {
        assertThatThrownBy(() -> X25519.agree(c.hex("private"), c.hex("public")))
            .as(c.toString())
            .isInstanceOf(AuthenticationFailedException.class);
        n++;
      }
    }
    assertThat(n).isGreaterThanOrEqualTo(31);
  }
}
