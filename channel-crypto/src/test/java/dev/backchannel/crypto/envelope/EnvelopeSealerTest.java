package dev.backchannel.crypto.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backchannel.api.error.AuthenticationFailedException;
import dev.backchannel.api.error.BackchannelException;
import dev.backchannel.api.error.MalformedInputException;
import dev.backchannel.api.error.QuotaExceededException;
import dev.backchannel.crypto.ratchet.RatchetState;
import dev.backchannel.crypto.ratchet.SessionPairs;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EnvelopeSealerTest {
  private final byte[] mailbox = filled(32, 0x42);
  private final byte[] otherMailbox = filled(32, 0x43);

  @Test
  void sealsAndOpensEveryBucketUpToTheMaximum() throws Exception {
    RatchetState[] s = SessionPairs.create();
    for (int size : new int[] {0, 1, 100, 1000, 5000, 20_000, Padding.MAX_PAYLOAD}) {
      byte[] payload = new byte[size];
      new Random(size).nextBytes(payload);
      Envelope e = EnvelopeSealer.seal(s[0], mailbox, payload);
      assertThat(Padding.BUCKETS).contains(e.bodyLength());
      Envelope wire = Envelope.parse(e.toByteArray());
      assertThat(EnvelopeSealer.open(s[1], wire).plaintext()).isEqualTo(payload);
    }
  }

  @Test
  void overLimitPayloadIsATypedError() {
    RatchetState[] s = SessionPairs.create();
    assertThatThrownBy(() -> EnvelopeSealer.seal(s[0], mailbox, new byte[Padding.MAX_PAYLOAD + 1]))
        .isInstanceOf(QuotaExceededException.class)
        .hasMessageContaining("65536");
  }

  /** Checklist 33: 1-byte and (bucket-1)-byte payloads give identical body lengths. */
  @Test
  void everyPayloadOfABucketHasTheSameWireLength() throws Exception {
    RatchetState[] s = SessionPairs.create();
    int previousLimit = 0;
    for (int bucket : Padding.BUCKETS) {
      int largest = bucket - RatchetState.OVERHEAD - 1;
      if (largest > Padding.MAX_PAYLOAD) {
        largest = Padding.MAX_PAYLOAD;
      }
      int smallest = previousLimit == 0 ? 1 : previousLimit + 1;
      Envelope small = EnvelopeSealer.seal(s[0], mailbox, new byte[smallest]);
      Envelope large = EnvelopeSealer.seal(s[0], mailbox, new byte[largest]);
      assertThat(small.bodyLength()).isEqualTo(bucket).isEqualTo(large.bodyLength());
      assertThat(small.toByteArray().length).isEqualTo(large.toByteArray().length);
      previousLimit = largest;
    }
  }

  /** Checklist 19: a flipped bit anywhere is rejected, the state is unchanged, the next works. */
  @Test
  void everyBitFlipIsRejectedWithoutChangingState() throws Exception {
    RatchetState[] s = SessionPairs.create();
    EnvelopeSealer.open(s[1], EnvelopeSealer.seal(s[0], mailbox, bytes("warm-up")));
    Envelope genuine = EnvelopeSealer.seal(s[0], mailbox, bytes("the real one"));
    byte[] wire = genuine.toByteArray();
    byte[] before = s[1].toByteArray();
    int rejected = 0;
    for (int bit = 0; bit < wire.length * 8; bit++) {
      byte[] t = wire.clone();
      t[bit / 8] ^= (byte) (1 << (bit % 8));
      try {
        EnvelopeSealer.open(s[1], Envelope.parse(t));
        throw new AssertionError("bit " + bit + " flip was accepted");
      } catch (AuthenticationFailedException | MalformedInputException expected) {
        rejected++;
      }
    }
    assertThat(rejected).isEqualTo(wire.length * 8);
    assertThat(s[1].toByteArray()).isEqualTo(before);
    assertThat(EnvelopeSealer.open(s[1], genuine).plaintext()).isEqualTo(bytes("the real one"));
  }

  /** Checklist 20: truncation, extension and splicing are rejected the same way. */
  @Test
  void truncatedExtendedSplicedAndMovedEnvelopesAreRejected() throws Exception {
    RatchetState[] s = SessionPairs.create();
    Envelope a = EnvelopeSealer.seal(s[0], mailbox, bytes("first"));
    Envelope b = EnvelopeSealer.seal(s[0], mailbox, bytes("second"));
    byte[] before = s[1].toByteArray();
    byte[] ab = a.body();
    byte[] bb = b.body();
    byte[] spliced = ab.clone();
    System.arraycopy(bb, RatchetState.OVERHEAD, spliced, RatchetState.OVERHEAD, 40);
    byte[] headerSwap = bb.clone();
    System.arraycopy(ab, 0, headerSwap, 0, 68);
    for (byte[] body :
        new byte[][] {spliced, headerSwap, Arrays.copyOf(ab, 100), Arrays.copyOf(ab, ab.length + 1)}) {
      assertThatThrownBy(() -> EnvelopeSealer.open(s[1], new Envelope(mailbox, body)))
          .isInstanceOfAny(AuthenticationFailedException.class, MalformedInputException.class);
    }
    // The same bytes delivered to another mailbox do not open.
    assertThatThrownBy(() -> EnvelopeSealer.open(s[1], new Envelope(otherMailbox, ab)))
        .isInstanceOf(AuthenticationFailedException.class);
    assertThat(s[1].toByteArray()).isEqualTo(before);
    assertThat(EnvelopeSealer.open(s[1], b).plaintext()).isEqualTo(bytes("second"));
    assertThat(EnvelopeSealer.open(s[1], a).plaintext()).isEqualTo(bytes("first"));
  }

  @Test
  void theBodyFormsSealAndOpenTheSameBytesAndCheckTheSameRules() throws Exception {
    RatchetState[] s = SessionPairs.create();
    byte[] body = EnvelopeSealer.sealBody(s[0], mailbox, bytes("body form"));
    assertThat(Padding.BUCKETS).contains(body.length);
    assertThat(EnvelopeSealer.open(s[1], new Envelope(mailbox, body)).plaintext()).isEqualTo(bytes("body form"));
    byte[] second = EnvelopeSealer.seal(s[0], mailbox, bytes("envelope form")).body();
    byte[] before = s[1].toByteArray();
    assertThatThrownBy(() -> EnvelopeSealer.openBody(s[1], otherMailbox, second))
        .isInstanceOf(AuthenticationFailedException.class);
    assertThatThrownBy(() -> EnvelopeSealer.openBody(s[1], mailbox, Arrays.copyOf(second, second.length + 1)))
        .isInstanceOf(MalformedInputException.class).hasMessageContaining("bucket");
    assertThatThrownBy(() -> EnvelopeSealer.openBody(s[1], new byte[31], second))
        .isInstanceOf(MalformedInputException.class);
    assertThatThrownBy(() -> EnvelopeSealer.sealBody(s[0], new byte[33], bytes("x")))
        .isInstanceOf(MalformedInputException.class);
    assertThat(s[1].toByteArray()).isEqualTo(before);
    assertThat(EnvelopeSealer.openBody(s[1], mailbox, second).plaintext()).isEqualTo(bytes("envelope form"));
  }

  /** Checklist 30: arbitrary bytes never raise anything but our typed errors, state unchanged. */
  @Test
  void randomBytesOnlyGiveTypedErrors() throws Exception {
    RatchetState[] s = SessionPairs.create();
    EnvelopeSealer.open(s[1], EnvelopeSealer.seal(s[0], mailbox, bytes("warm-up")));
    byte[] before = s[1].toByteArray();
    Random random = new Random(1234);
    byte[] genuine = EnvelopeSealer.seal(s[0], mailbox, bytes("x")).toByteArray();
    boolean genuineOpened = false;
    for (int i = 0; i < 3000; i++) {
      byte[] junk;
      if (i % 2 == 0) {
        junk = new byte[random.nextInt(400)];
        random.nextBytes(junk);
      } else {
        junk = genuine.clone();
        for (int k = 0; k < 1 + random.nextInt(4); k++) {
          junk[random.nextInt(junk.length)] = (byte) random.nextInt();
        }
        junk = Arrays.copyOf(junk, Math.max(1, junk.length - random.nextInt(3)));
      }
      try {
        // A mutation can leave the genuine body intact (a byte replaced by itself, a change in
        // the protobuf framing only): then the genuine message opens, once, to its plaintext.
        byte[] plaintext = EnvelopeSealer.open(s[1], Envelope.parse(junk)).plaintext();
        assertThat(plaintext).isEqualTo(bytes("x"));
        assertThat(genuineOpened).as("the genuine message opened twice").isFalse();
        genuineOpened = true;
        before = s[1].toByteArray();
      } catch (BackchannelException expected) {
        // typed
      }
      try {
        RatchetState.parse(junk);
      } catch (MalformedInputException expected) {
        // typed
      }
    }
    assertThat(s[1].toByteArray()).isEqualTo(before);
  }

  @Test
  void envelopeValidationAndToString() throws Exception {
    assertThatThrownBy(() -> new Envelope(new byte[31], new byte[256]))
        .isInstanceOf(MalformedInputException.class);
    assertThatThrownBy(() -> new Envelope(mailbox, new byte[257]))
        .isInstanceOf(MalformedInputException.class);
    assertThatThrownBy(() -> Envelope.parse(new byte[0])).isInstanceOf(MalformedInputException.class);
    Envelope e = new Envelope(mailbox, new byte[256]);
    assertThat(e.toString()).isEqualTo("Envelope[mailbox=42424242…, body=256 bytes]");
    assertThat(Envelope.parse(e.toByteArray())).isEqualTo(e);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] filled(int n, int v) {
    byte[] b = new byte[n];
    Arrays.fill(b, (byte) v);
    return b;
  }
}
