package dev.backchannel.crypto.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backchannel.api.error.AuthenticationFailedException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * AES-256-GCM and ChaCha20-Poly1305 against NIST/RFC vectors and every Wycheproof case. Our API
 * takes 32-byte keys and 12-byte nonces only: cases with other sizes must be refused.
 */
class AeadKnownAnswerTest {
  private static final HexFormat HEX = HexFormat.of();

  /** The GCM specification's test case 16 (AES-256, 96-bit IV, with AAD). */
  @Test
  void gcmSpecTestCase16() throws Exception {
    byte[] key = HEX.parseHex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
    byte[] iv = HEX.parseHex("cafebabefacedbaddecaf888");
    byte[] aad = HEX.parseHex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
    byte[] pt = HEX.parseHex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
        + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
    String ct = "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
        + "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662";
    String tag = "76fc6ece0f4e1768cddf8853bb2d551b";
    assertThat(HEX.formatHex(AesGcmAead.INSTANCE.seal(key, iv, aad, pt))).isEqualTo(ct + tag);
    assertThat(AesGcmAead.INSTANCE.open(key, iv, aad, HEX.parseHex(ct + tag))).isEqualTo(pt);
  }

  /** RFC 8439 section 2.8.2 (first block of ciphertext and the tag). */
  @Test
  void rfc8439Section282() throws Exception {
    byte[] key = HEX.parseHex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
    byte[] nonce = HEX.parseHex("070000004041424344454647");
    byte[] aad = HEX.parseHex("50515253c0c1c2c3c4c5c6c7");
    byte[] pt = ("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for "
        + "the future, sunscreen would be it.").getBytes(StandardCharsets.US_ASCII);
    byte[] out = ChaCha20Poly1305Aead.INSTANCE.seal(key, nonce, aad, pt);
    assertThat(HEX.formatHex(Arrays.copyOf(out, 16))).isEqualTo("d31a8d34648e60db7b86afbc53ef7ec2");
    assertThat(HEX.formatHex(Arrays.copyOfRange(out, out.length - 16, out.length)))
        .isEqualTo("1ae10b594f09e26a7e902ecbd0600691");
    assertThat(ChaCha20Poly1305Aead.INSTANCE.open(key, nonce, aad, out)).isEqualTo(pt);
  }

  @Test
  void everyWycheproofAesGcmCase() throws Exception {
    int[] counts = run("aes_gcm_test.json", AesGcmAead.INSTANCE);
    System.out.printf("AES-GCM Wycheproof: %d valid, %d invalid rejected, %d refused for sizes%n",
        counts[0], counts[1], counts[2]);
    assertThat(counts[0] + counts[1] + counts[2]).isEqualTo(316);
    assertThat(counts[0]).isPositive();
  }

  @Test
  void everyWycheproofChaChaCase() throws Exception {
    int[] counts = run("chacha20_poly1305_test.json", ChaCha20Poly1305Aead.INSTANCE);
    System.out.printf("ChaCha20-Poly1305 Wycheproof: %d valid, %d invalid rejected, %d refused for sizes%n",
        counts[0], counts[1], counts[2]);
    assertThat(counts[0] + counts[1] + counts[2]).isEqualTo(325);
    assertThat(counts[0]).isEqualTo(256);
  }

  /** Returns {valid passed, invalid rejected, refused for key/IV size}. */
  private static int[] run(String file, Aead aead) throws Exception {
    int[] counts = new int[3];
    for (Wycheproof.Case c : Wycheproof.cases(file)) {
      byte[] key = c.hex("key");
      byte[] iv = c.hex("iv");
      byte[] aad = c.hex("aad");
      byte[] msg = c.hex("msg");
      byte[] ctTag = concat(c.hex("ct"), c.hex("tag"));
      boolean ourSizes = key.length == 32 && iv.length == 12 && c.hex("tag").length == 16;
      if (!ourSizes) {
        assertThatThrownBy(() -> aead.open(key, iv, aad, ctTag))
            .as(c.toString())
            .isInstanceOfAny(IllegalArgumentException.class, AuthenticationFailedException.class);
        if (key.length != 32 || iv.length != 12) {
          assertThatThrownBy(() -> aead.seal(key, iv, aad, msg))
              .as(c.toString())
              .isInstanceOf(IllegalArgumentException.class);
        }
        counts[2]++;
        continue;
      }
      if (c.result().equals("valid")) {
        assertThat(aead.seal(key, iv, aad, msg)).as(c.toString()).isEqualTo(ctTag);
        assertThat(aead.open(key, iv, aad, ctTag)).as(c.toString()).isEqualTo(msg);
        if (aead instanceof AesGcmAead) {
          // The offset forms the ratchet uses: nonce, input and output inside larger arrays (on the
          // other per-thread cipher: the JDK refuses to encrypt twice with one key and nonce).
          AesGcmAead gcm = AesGcmAead.FOR_REUSED_KEYS;
          byte[] nonceAt3 = concat(new byte[3], iv);
          byte[] aadPadded = Arrays.copyOf(aad, aad.length + 5);
          byte[] out = new byte[7 + ctTag.length];
          gcm.seal(key, nonceAt3, 3, aadPadded, aad.length, concat(new byte[2], msg), 2, msg.length, out, 7);
          assertThat(Arrays.copyOfRange(out, 7, out.length)).as(c.toString()).isEqualTo(ctTag);
          assertThat(gcm.open(key, nonceAt3, 3, aadPadded, aad.length, out, 7, ctTag.length))
              .as(c.toString()).isEqualTo(msg);
        }
        counts[0]++;
      } else {
        assertThatThrownBy(() -> aead.open(key, iv, aad, ctTag))
            .as(c.toString())
            .isInstanceOf(AuthenticationFailedException.class);
        if (aead instanceof AesGcmAead gcm) {
          assertThatThrownBy(() -> gcm.open(key, concat(new byte[1], iv), 1, aad, aad.length, ctTag, 0, ctTag.length))
              .as(c.toString())
              .isInstanceOf(AuthenticationFailedException.class);
        }
        counts[1]++;
      }
    }
    return counts;
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
