package dev.backchannel.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.backchannel.api.error.InvalidInvitationException;
import dev.backchannel.api.error.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;

/**
 * Coverage-guided fuzzing (Jazzer) of the two parsers in this module that take text from outside:
 * the invitation string and the relay address (checklist 29/30 for the API's own inputs). Any
 * input either parses to a value that re-encodes to the same canonical text, or is refused with
 * {@link InvalidInvitationException} / {@link MalformedInputException}: no other exception, no
 * hang. In the test command the committed seeds under {@code InvitationFuzzTestInputs/} are
 * replayed; {@code JAZZER_FUZZ=1} fuzzes for real (see SECURITY.md).
 */
class InvitationFuzzTest {
  private static final Instant NOW = Instant.parse("2026-11-25T00:00:00Z");

  /** Any string, as a user might paste it. */
  @FuzzTest(maxDuration = "30s")
  void invitationText(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    try {
      Invitation inv = Invitation.parse(text, NOW);
      assertThat(inv.toCompactString()).isEqualTo(text.strip());
    } catch (InvalidInvitationException expected) {
      assertThat(expected.reason()).isNotNull();
    }
  }

  /**
   * Any binary payload under a correct checksum, so the fuzzer reaches the field parsing behind
   * the checksum (the label and length are those of docs/PROTOCOL.md).
   */
  @FuzzTest(maxDuration = "30s")
  void invitationPayloadWithValidChecksum(byte[] payload) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    sha.update("Backchannel-v1 invitation checksum".getBytes(StandardCharsets.US_ASCII));
    byte[] sum = Arrays.copyOf(sha.digest(payload), 4);
    byte[] all = Arrays.copyOf(payload, payload.length + 4);
    System.arraycopy(sum, 0, all, payload.length, 4);
    String text = Invitation.PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(all);
    try {
      Invitation inv = Invitation.parse(text, NOW);
      assertThat(inv.toCompactString()).isEqualTo(text);
    } catch (InvalidInvitationException expected) {
      assertThat(expected.reason()).isNotNull();
    }
  }

  /** Any relay address string. */
  @FuzzTest(maxDuration = "30s")
  void relayAddress(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    try {
      RelayAddress a = RelayAddress.parse(text);
      assertThat(RelayAddress.parse(a.toString())).isEqualTo(a);
    } catch (MalformedInputException expected) {
      assertThat(expected.getMessage()).isNotBlank();
    }
  }
}
