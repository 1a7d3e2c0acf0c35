package dev.backchannel.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.backchannel.api.error.BackchannelException;
import dev.backchannel.crypto.atrest.StateSealer;
import dev.backchannel.crypto.envelope.Envelope;
import dev.backchannel.crypto.envelope.EnvelopeSealer;
import dev.backchannel.crypto.handshake.InitialMessage;
import dev.backchannel.crypto.prekey.PreKeyBundle;
import dev.backchannel.crypto.prekey.PreKeyStore;
import dev.backchannel.crypto.ratchet.RatchetState;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;

/**
 * Coverage-guided fuzzing (Jazzer) of every parser in this module that takes bytes from outside
 * (checklist 29, 30): the envelope and the ratchet message inside it, stored ratchet state, the
 * sealed state record, identity key pairs, prekey stores and bundles, and the handshake's initial
 * message. Each target checks: only our typed exceptions ({@link BackchannelException}
 * subclasses) escape; a rejected envelope leaves the session state byte-identical; what parses
 * re-encodes stably. The session under attack and the seeds come from the committed golden files
 * of release 0.1.0, so the fuzzer starts from real, valid inputs.
 *
 * <p>The test command replays the seeds under {@code WireFormatFuzzTestInputs/}; {@code
 * JAZZER_FUZZ=1 mvn -pl channel-crypto -am test -Dtest='WireFormatFuzzTest#envelope'} fuzzes one
 * target for real (see SECURITY.md).
 */
class WireFormatFuzzTest {
  private static final byte[] RECEIVER_STATE = golden("alice-ratchet-state.bin");
  private static final Clock CLOCK = goldenClock();
  private static final byte[] STATE_KEY = new byte[32];

  static {
    Arrays.fill(STATE_KEY, (byte) 0x42);
  }

  private static byte[] golden(String name) {
    try (InputStream in = WireFormatFuzzTest.class.getResourceAsStream("/golden/0.1.0/" + name)) {
      return in.readAllBytes();
    } catch (IOException | NullPointerException e) {
      throw new IllegalStateException("golden file missing: " + name, e);
    }
  }

  private static Clock goldenClock() {
    Instant t = Instant.parse(new String(golden("created-at.txt")).strip());
    return Clock.fixed(t.plusSeconds(60), ZoneOffset.UTC);
  }

  /** Arbitrary envelope bytes opened by a real session: typed error and unchanged state, or a plaintext. */
  @FuzzTest(maxDuration = "60s")
  void envelope(byte[] input) throws Exception {
    RatchetState session = RatchetState.parse(RECEIVER_STATE, CLOCK);
    try {
      Envelope e = Envelope.parse(input);
      assertThat(Envelope.parse(e.toByteArray())).isEqualTo(e);
      EnvelopeSealer.open(session, e);
    } catch (BackchannelException rejected) {
      assertThat(session.toByteArray()).isEqualTo(RECEIVER_STATE);
    }
  }

  /** Arbitrary ratchet message bytes (no envelope around them). */
  @FuzzTest(maxDuration = "60s")
  void ratchetMessage(byte[] input) throws Exception {
    RatchetState session = RatchetState.parse(RECEIVER_STATE, CLOCK);
    try {
      session.decrypt(input, new byte[32]);
    } catch (BackchannelException rejected) {
      assertThat(session.toByteArray()).isEqualTo(RECEIVER_STATE);
    }
  }

  /** Arbitrary stored ratchet state: refused, or parsed into a state that re-encodes stably. */
  @FuzzTest(maxDuration = "60s")
  void ratchetState(byte[] input) {
    try {
      RatchetState s = RatchetState.parse(input, CLOCK);
      byte[] once = s.toByteArray();
      assertThat(RatchetState.parse(once, CLOCK).toByteArray()).isEqualTo(once);
    } catch (BackchannelException rejected) {
      assertThat(rejected.getMessage()).isNotBlank();
    }
  }

  /** Arbitrary sealed state records: only an authentic record opens. */
  @FuzzTest(maxDuration = "60s")
  void sealedStateRecord(byte[] input) {
    try (StateSealer sealer =
        new StateSealer(SecretBytes.copyOf(STATE_KEY, InsecureSecretAccess.get()))) {
      byte[] opened = sealer.open("session/golden", input);
      assertThat(opened).isEqualTo(RECEIVER_STATE); // the only record sealed under this key
    } catch (BackchannelException rejected) {
      assertThat(rejected.getMessage()).isNotBlank();
    }
  }

  /** Identity key pairs, prekey stores, prekey bundles and initial messages. */
  @FuzzTest(maxDuration = "60s")
  void keyMaterial(byte[] input) {
    if (input.length == 0) {
      return;
    }
    byte[] body = Arrays.copyOfRange(input, 1, input.length);
    try {
      switch (Math.floorMod(input[0], 4)) {
        case 0 -> {
          try (IdentityKeyPair k = IdentityKeyPair.parse(body)) {
            assertThat(IdentityKeyPair.parse(k.toByteArray()).publicKey()).isEqualTo(k.publicKey());
          }
        }
        case 1 -> {
          PreKeyStore s = PreKeyStore.parse(body);
          assertThat(PreKeyStore.parse(s.toByteArray()).toByteArray()).isEqualTo(s.toByteArray());
        }
        case 2 -> {
          PreKeyBundle b = PreKeyBundle.parse(body);
          b.verify();
        }
        default -> InitialMessage.parse(body);
      }
    } catch (BackchannelException rejected) {
      assertThat(rejected.getMessage()).isNotBlank();
    }
  }
}
