package dev.backchannel.crypto.agreement;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.backchannel.api.error.MalformedInputException;
import java.util.Arrays;

/**
 * Coverage-guided fuzzing (Jazzer) of the agreement file parser and the verifier, on binary and
 * armored input: {@link Agreements#verify} returns a result for every input, never throws, and
 * never hits its internal-error fallback; {@link SignedAgreement#parse} throws only {@link
 * MalformedInputException}; what parses re-encodes to the same binary. Seeds (the committed
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
}
