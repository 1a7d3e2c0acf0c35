package dev.backchannel.crypto.agreement;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.backchannel.api.error.MalformedInputException;
import java.util.Arrays;

/**
 * Coverage-guided fuzzing (Jazzer) of the agreement file parser and the verifier, on binary and
 * armored input: {@link Agreements#verify} returns a result for every input, never throws, and
 * never hits its internal-error fallback; {@link SignedAgreement#parse} throws only {@link
 * MalformedInputException}; what parses re-encodes to the same binary. The terms and party
 * signatures a contact sends in a conversation get their own target. Seeds (the committed
 * vector files) are under {@code AgreementFileFuzzTestInputs/}; {@code JAZZER_FUZZ=1 mvn -pl
 * channel-crypto -am test -Dtest='AgreementFileFuzzTest'} fuzzes for real.
 */
class AgreementFileFuzzTest {
  @FuzzTest(maxDuration = "60s")
  void agreementFile(byte[] input) {
    Verification v = Agreements.verify(input);
    assertThat(v.reason()).isNotBlank().isNotEqualTo(Agreements.INTERNAL_ERROR);
    byte[] text = Arrays.copyOf(input, Math.min(input.length, 64));
    assertThat(Agreements.verify(input, text).reason()).isNotEqualTo(Agreements.INTERNAL_ERROR);
    try {
      SignedAgreement a = SignedAgreement.parse(input);
      byte[] binary = a.toBinary();
      assertThat(SignedAgreement.parse(binary).toBinary()).isEqualTo(binary);
      if (!Armor.isArmored(input)) {
        assertThat(binary).isEqualTo(input);
      }
    } catch (MalformedInputException rejected) {
      assertThat(rejected.getMessage()).isNotBlank();
      assertThat(v.status()).isEqualTo(Verification.Status.INVALID);
    }
  }

  /**
   * What a contact sends inside a conversation: proposed terms (first byte even) or a party
   * signature (odd). Only {@link MalformedInputException} escapes; decoded terms re-encode to the
   * input; a decoded signature re-encodes to the input.
   */
  @FuzzTest(maxDuration = "60s")
  void termsAndSignature(byte[] input) {
    if (input.length == 0) {
      return;
    }
    byte[] body = Arrays.copyOfRange(input, 1, input.length);
    try {
      if ((input[0] & 1) == 0) {
        assertThat(AgreementTerms.decode(body).encode()).isEqualTo(body);
      } else {
        assertThat(PartySignature.decode(body).encode()).isEqualTo(body);
      }
    } catch (MalformedInputException rejected) {
      assertThat(rejected.getMessage()).isNotBlank();
    }
  }
}
