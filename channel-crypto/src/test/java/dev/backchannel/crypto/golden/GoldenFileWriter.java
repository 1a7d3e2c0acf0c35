package dev.backchannel.crypto.golden;

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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;

/**
 * Writes the golden files of one release (checklist 39): every stored and wire format this module
 * produces, made by this release's code, so later releases prove they still read them ({@link
 * CrossVersionTest}). Run once per release, never from the test command:
 *
 * <pre>{@code
 * java -cp "channel-crypto/target/test-classes:channel-crypto/target/classes:$(cat cp.txt)" \
 *     dev.backchannel.crypto.golden.GoldenFileWriter channel-crypto/src/test/resources/golden/0.1.0
 * }</pre>
 *
 * <p>The files hold private keys made only for this purpose; nothing else uses them.
 */
public final class GoldenFileWriter {
  static final byte[] CONTEXT = "golden invitation mailbox".getBytes(StandardCharsets.US_ASCII);
  static final byte[] MAILBOX = filled(32, 0x4d);
  static final byte[] STATE_KEY = filled(32, 0x42);
  static final String SEALED_NAME = "session/golden";

  private GoldenFileWriter() {}

  static byte[] payload(int i) {
    return ("golden message " + i).getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] filled(int n, int v) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) v);
    return b;
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Files.createDirectories(dir);
    IdentityKeyPair alice = IdentityKeyPair.generate(); // publishes the bundle, responds
    IdentityKeyPair bob = IdentityKeyPair.generate(); // initiates
    PreKeyStore aliceStore = PreKeyStore.generate(alice);
    PreKeyBundle bundle = aliceStore.newBundle(alice);
    Files.write(dir.resolve("alice-identity.bin"), alice.toByteArray());
    Files.write(dir.resolve("bob-identity.bin"), bob.toByteArray());
    Files.write(dir.resolve("alice-prekeys.bin"), aliceStore.toByteArray());
    Files.write(dir.resolve("alice-bundle.bin"), bundle.toByteArray());

    SessionStart.Started started = SessionStart.initiate(bob, bundle, CONTEXT, payload(0));
    Files.write(dir.resolve("bob-initial-message.bin"), started.initialMessage());
    SessionStart.Accepted accepted =
        SessionStart.accept(alice, aliceStore, started.initialMessage(), CONTEXT);
    RatchetState a = accepted.session();
    RatchetState b = started.session();
    // Alice replies once so Bob's next messages carry a new ratchet key.
    EnvelopeSealer.open(b, EnvelopeSealer.seal(a, MAILBOX, payload(100)));
    Envelope e1 = EnvelopeSealer.seal(b, MAILBOX, payload(1));
    Envelope e2 = EnvelopeSealer.seal(b, MAILBOX, payload(2));
    Envelope e3 = EnvelopeSealer.seal(b, MAILBOX, payload(3));
    EnvelopeSealer.open(a, e2); // e1's key is now a stored skipped key in Alice's state
    Envelope e4 = EnvelopeSealer.seal(a, MAILBOX, payload(4));
    Files.write(dir.resolve("envelope-bob-to-alice-1.bin"), e1.toByteArray());
    Files.write(dir.resolve("envelope-bob-to-alice-3.bin"), e3.toByteArray());
    Files.write(dir.resolve("envelope-alice-to-bob-4.bin"), e4.toByteArray());
    Files.write(dir.resolve("alice-ratchet-state.bin"), a.toByteArray());
    Files.write(dir.resolve("bob-ratchet-state.bin"), b.toByteArray());
    try (StateSealer sealer =
        new StateSealer(SecretBytes.copyOf(STATE_KEY, InsecureSecretAccess.get()))) {
      Files.write(dir.resolve("alice-ratchet-state.sealed"), sealer.seal(SEALED_NAME, a.toByteArray()));
    }
    Files.writeString(dir.resolve("created-at.txt"), Instant.now().toString() + "\n");
  }
}
