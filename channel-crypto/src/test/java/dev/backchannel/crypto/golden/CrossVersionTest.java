package dev.backchannel.crypto.golden;

import static dev.backchannel.crypto.golden.GoldenFileWriter.CONTEXT;
import static dev.backchannel.crypto.golden.GoldenFileWriter.MAILBOX;
import static dev.backchannel.crypto.golden.GoldenFileWriter.SEALED_NAME;
import static dev.backchannel.crypto.golden.GoldenFileWriter.STATE_KEY;
import static dev.backchannel.crypto.golden.GoldenFileWriter.payload;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backchannel.api.error.DuplicateMessageException;
import dev.backchannel.crypto.IdentityKeyPair;
import dev.backchannel.crypto.InsecureSecretAccess;
import dev.backchannel.crypto.SecretBytes;
import dev.backchannel.crypto.atrest.StateSealer;
import dev.backchannel.crypto.envelope.Envelope;
import dev.backchannel.crypto.envelope.EnvelopeSealer;
import dev.backchannel.crypto.handshake.SessionStart;
import dev.backchannel.crypto.prekey.PreKeyBundle;
import dev.backchannel.crypto.prekey.PreKeyStore;
import dev.backchannel.crypto.ratchet.RatchetState;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Checklist 39: the formats written by each earlier release (golden files under {@code
 * golden/<release>/}, written by {@link GoldenFileWriter} and committed) are read by this one.
 * A release adds its directory to the list below; a failure here means an incompatible change of
 * a stored or wire format, which needs a version bump and a migration, not a new golden file.
 */
class CrossVersionTest {

  private static byte[] read(String release, String name) throws IOException {
    try (InputStream in = CrossVersionTest.class.getResourceAsStream("/golden/" + release + "/" + name)) {
      if (in == null) {
        throw new IllegalStateException("golden file missing: " + release + "/" + name);
      }
      return in.readAllBytes();
    }
  }

  /** The skipped-key clock: the files' creation time, so stored skipped keys have not aged out. */
  private static Clock createdAt(String release) throws IOException {
    Instant t = Instant.parse(new String(read(release, "created-at.txt")).strip());
    return Clock.fixed(t.plusSeconds(60), ZoneOffset.UTC);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0.1.0"})
  void handshakeFromAnEarlierReleaseCompletes(String release) throws Exception {
    try (IdentityKeyPair alice = IdentityKeyPair.parse(read(release, "alice-identity.bin"));
        IdentityKeyPair bob = IdentityKeyPair.parse(read(release, "bob-identity.bin"))) {
      PreKeyBundle bundle = PreKeyBundle.parse(read(release, "alice-bundle.bin"));
      bundle.verify();
      assertThat(bundle.identity()).isEqualTo(alice.publicKey());
      PreKeyStore store = PreKeyStore.parse(read(release, "alice-prekeys.bin"));
      SessionStart.Accepted accepted =
          SessionStart.accept(alice, store, read(release, "bob-initial-message.bin"), CONTEXT);
      assertThat(accepted.peer()).isEqualTo(bob.publicKey());
      assertThat(accepted.firstPayload()).isEqualTo(payload(0));
      // A bundle of the old store still starts a new session with this release's code.
      SessionStart.Started again = SessionStart.initiate(bob, store.lastResortBundle(alice), CONTEXT, payload(9));
      assertThat(SessionStart.accept(alice, store, again.initialMessage(), CONTEXT).firstPayload())
          .isEqualTo(payload(9));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"0.1.0"})
  void ratchetStatesAndEnvelopesFromAnEarlierReleaseStillWork(String release) throws Exception {
    Clock clock = createdAt(release);
    RatchetState alice = RatchetState.parse(read(release, "alice-ratchet-state.bin"), clock);
    RatchetState bob = RatchetState.parse(read(release, "bob-ratchet-state.bin"), clock);
    assertThat(alice.skippedKeyCount()).isEqualTo(1);

    Envelope e1 = Envelope.parse(read(release, "envelope-bob-to-alice-1.bin"));
    Envelope e3 = Envelope.parse(read(release, "envelope-bob-to-alice-3.bin"));
    Envelope e4 = Envelope.parse(read(release, "envelope-alice-to-bob-4.bin"));
    assertThat(e1.mailboxId()).isEqualTo(MAILBOX);
    assertThat(EnvelopeSealer.open(alice, e3).plaintext()).isEqualTo(payload(3));
    assertThat(EnvelopeSealer.open(alice, e1).plaintext()).isEqualTo(payload(1)); // skipped key
    assertThatThrownBy(() -> EnvelopeSealer.open(alice, e1)).isInstanceOf(DuplicateMessageException.class);
    assertThat(EnvelopeSealer.open(bob, e4).plaintext()).isEqualTo(payload(4));

    // Both continue with this release's code, in both directions.
    assertThat(EnvelopeSealer.open(alice, EnvelopeSealer.seal(bob, MAILBOX, payload(5))).plaintext())
        .isEqualTo(payload(5));
    assertThat(EnvelopeSealer.open(bob, EnvelopeSealer.seal(alice, MAILBOX, payload(6))).plaintext())
        .isEqualTo(payload(6));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0.1.0"})
  void stateSealedByAnEarlierReleaseOpens(String release) throws Exception {
    try (StateSealer sealer =
        new StateSealer(SecretBytes.copyOf(STATE_KEY, InsecureSecretAccess.get()))) {
      byte[] opened = sealer.open(SEALED_NAME, read(release, "alice-ratchet-state.sealed"));
      assertThat(opened).isEqualTo(read(release, "alice-ratchet-state.bin"));
    }
  }

  /** The golden set names, in {@code inputs.txt}, exactly the inputs its files were made with. */
  @ParameterizedTest
  @ValueSource(strings = {"0.1.0"})
  void theInputsFileNamesWhatTheFilesWereMadeWith(String release) throws Exception {
    java.util.Map<String, String> in = new java.util.HashMap<>();
    for (String line : new String(read(release, "inputs.txt"), java.nio.charset.StandardCharsets.US_ASCII)
        .split("\n")) {
      if (!line.isBlank() && !line.startsWith("#")) {
        int eq = line.indexOf(" = ");
        in.put(line.substring(0, eq), line.substring(eq + 3));
      }
    }
    java.util.HexFormat hex = java.util.HexFormat.of();
    assertThat(in.get("handshake_context").getBytes(java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo(CONTEXT);
    assertThat(hex.parseHex(in.get("envelope_mailbox_id"))).isEqualTo(MAILBOX);
    assertThat((in.get("payload_prefix") + 7).getBytes(java.nio.charset.StandardCharsets.US_ASCII))
        .isEqualTo(payload(7));
    assertThat(hex.parseHex(in.get("sealed_state_key"))).isEqualTo(STATE_KEY);
    assertThat(in.get("sealed_record_name")).isEqualTo(SEALED_NAME);
  }
}
