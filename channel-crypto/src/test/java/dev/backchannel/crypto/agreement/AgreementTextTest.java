package dev.backchannel.crypto.agreement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backchannel.api.error.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The canonical text: CR LF becomes LF, a lone CR and malformed UTF-8 are refused. */
class AgreementTextTest {
  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void crLfBecomesLfAndNothingElseChanges() throws Exception {
    assertThat(AgreementText.canonical(utf8("a\r\nb\r\n"))).isEqualTo(utf8("a\nb\n"));
    assertThat(AgreementText.canonical(utf8(" é\t\n\n "))).isEqualTo(utf8(" é\t\n\n "));
    assertThat(AgreementText.canonical("x\r\n")).isEqualTo(utf8("x\n"));
    assertThat(AgreementText.sha256(utf8("a\r\n"))).isEqualTo(AgreementText.sha256(utf8("a\n")));
  }

  @Test
  void refusesWhatCannotBeCanonical() {
    for (byte[] bad : new byte[][] {
        utf8("a\rb"), utf8("a\r"), new byte[0], {(byte) 0xc3}, {(byte) 0xc0, (byte) 0x80},
        {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, new byte[AgreementText.MAX_BYTES + 1]}) {
      assertThatThrownBy(() -> AgreementText.canonical(bad)).isInstanceOf(MalformedInputException.class);
    }
    assertThatThrownBy(() -> AgreementText.canonical("\ud800")).isInstanceOf(MalformedInputException.class);
  }

  /**
   * No single-byte substitution of an acceptable text gives the same canonical text: exhaustive
   * over every text of up to 7 bytes from {a, CR, LF} and every substitute from {a, b, CR, LF}.
   */
  @Test
  void noSingleByteChangeKeepsTheCanonicalText() {
    byte[] alphabet = {'a', '\r', '\n'};
    byte[] substitutes = {'a', 'b', '\r', '\n'};
    int checked = 0;
    for (int len = 1; len <= 7; len++) {
      int total = (int) Math.pow(3, len);
      for (int code = 0; code < total; code++) {
        byte[] s = new byte[len];
        int c = code;
        for (int i = 0; i < len; i++) {
          s[i] = alphabet[c % 3];
          c /= 3;
        }
        byte[] canon = canonicalOrNull(s);
        if (canon == null) {
          continue;
        }
        for (int i = 0; i < len; i++) {
          for (byte sub : substitutes) {
            if (sub == s[i]) {
              continue;
            }
            byte[] t = s.clone();
            t[i] = sub;
            byte[] other = canonicalOrNull(t);
            assertThat(other == null || !Arrays.equals(other, canon))
                .as("%s -> %s", Arrays.toString(s), Arrays.toString(t)).isTrue();
            checked++;
          }
        }
      }
    }
    assertThat(checked).isGreaterThan(1000);
  }

  private static byte[] canonicalOrNull(byte[] s) {
    try {
      return AgreementText.canonical(s);
    } catch (MalformedInputException e) {
      return null;
    }
  }
}
