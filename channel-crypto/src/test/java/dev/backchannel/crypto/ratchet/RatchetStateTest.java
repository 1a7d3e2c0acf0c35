package dev.backchannel.crypto.ratchet;

import static dev.backchannel.crypto.ratchet.RatchetPair.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.backchannel.api.error.AuthenticationFailedException;
import dev.backchannel.api.error.DuplicateMessageException;
import dev.backchannel.api.error.MalformedInputException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RatchetStateTest {
  private static final byte[] MB = new byte[32];

  @Test
  void talksBothWaysWithRatchetSteps() throws Exception {
    RatchetPair p = RatchetPair.create();
    assertThat(p.responder.canSend()).isFalse();
    for (int round = 0; round < 20; round++) {
      for (int i = 0; i <= round % 3; i++) {
        byte[] m = bytes("to responder " + round + "/" + i);
        assertThat(p.responder.decrypt(p.initiator.encrypt(m, MB), MB).plaintext()).isEqualTo(m);
      }
      for (int i = 0; i <= round % 2; i++) {
        byte[] m = bytes("to initiator " + round + "/" + i);
        assertThat(p.initiator.decrypt(p.responder.encrypt(m, MB), MB).plaintext()).isEqualTo(m);
      }
    }
  }

  @Test
  void responderCannotSendFirst() {
    RatchetPair p = RatchetPair.create();
    assertThatThrownBy(() -> p.responder.encrypt(bytes("x"), MB))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void restoredStateContinuesExactlyWhereItStopped() throws Exception {
    RatchetPair p = RatchetPair.create();
    p.responder.decrypt(p.initiator.encrypt(bytes("1"), MB), MB);
    byte[] late = p.initiator.encrypt(bytes("late"), MB);
    byte[] m3 = p.initiator.encrypt(bytes("3"), MB);
    p.responder.decrypt(m3, MB);
    RatchetState restoredR = RatchetState.parse(p.responder.toByteArray());
    RatchetState restoredI = RatchetState.parse(p.initiator.toByteArray());
    assertThat(restoredR.toByteArray()).isEqualTo(p.responder.toByteArray());
    assertThat(restoredR.decrypt(late, MB).plaintext()).isEqualTo(bytes("late"));
    byte[] reply = restoredR.encrypt(bytes("reply"), MB);
    assertThat(restoredI.decrypt(reply, MB).plaintext()).isEqualTo(bytes("reply"));
    // A duplicate of an already-read message is still recognised after the restore.
    assertThatThrownBy(() -> restoredR.decrypt(m3, MB)).isInstanceOf(DuplicateMessageException.class);
  }

  @Test
  void replayIsDuplicateAndChangesNothingAlsoAcrossChainsAndRestarts() throws Exception {
    RatchetPair p = RatchetPair.create();
    byte[] m1 = p.initiator.encrypt(bytes("one"), MB);
    p.responder.decrypt(m1, MB);
    byte[] before = p.responder.toByteArray();
    assertThatThrownBy(() -> p.responder.decrypt(m1, MB))
        .isInstanceOf(DuplicateMessageException.class);
    assertThat(p.responder.toByteArray()).isEqualTo(before);
    // After two ratchet steps the old chain is retired; the replay is still a duplicate.
    p.initiator.decrypt(p.responder.encrypt(bytes("r"), MB), MB);
    p.responder.decrypt(p.initiator.encrypt(bytes("two"), MB), MB);
    RatchetState restarted = RatchetState.parse(p.responder.toByteArray());
    byte[] snapshot = restarted.toByteArray();
    assertThatThrownBy(() -> restarted.decrypt(m1, MB))
        .isInstanceOf(DuplicateMessageException.class);
    assertThat(restarted.toByteArray()).isEqualTo(snapshot);
  }

  @Test
  void wrongExtraAssociatedDataIsRejected() throws Exception {
    RatchetPair p = RatchetPair.create();
    byte[] other = new byte[32];
    other[0] = 1;
    byte[] m = p.initiator.encrypt(bytes("x"), MB);
    byte[] before = p.responder.toByteArray();
    assertThatThrownBy(() -> p.responder.decrypt(m, other))
        .isInstanceOf(AuthenticationFailedException.class);
    assertThat(p.responder.toByteArray()).isEqualTo(before);
    assertThat(p.responder.decrypt(m, MB).plaintext()).isEqualTo(bytes("x"));
  }

  @Test
  void messageFromAnotherSessionIsRejected() throws Exception {
    RatchetPair p = RatchetPair.create();
    RatchetPair q = RatchetPair.create();
    byte[] m = q.initiator.encrypt(bytes("x"), MB);
    assertThatThrownBy(() -> p.responder.decrypt(m, MB))
        .isInstanceOf(AuthenticationFailedException.class)
        .isNotInstanceOf(DuplicateMessageException.class);
    assertThatThrownBy(() -> p.responder.decrypt(new byte[10], MB))
        .isInstanceOf(MalformedInputException.class);
  }

  /** Checklist 16: 100 messages in random order all decrypt exactly once with their numbers. */
  @Test
  void hundredMessagesInRandomOrder() throws Exception {
    RatchetPair p = RatchetPair.create();
    List<byte[]> sent = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      sent.add(p.initiator.encrypt(bytes("m" + i), MB));
    }
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      order.add(i);
    }
    Collections.shuffle(order, new Random(7));
    boolean[] seen = new boolean[100];
    for (int i : order) {
      DecryptedMessage d = p.responder.decrypt(sent.get(i), MB);
      assertThat(d.plaintext()).isEqualTo(bytes("m" + i));
      assertThat(d.number()).isEqualTo(i);
      assertThat(seen[i]).isFalse();
      seen[i] = true;
    }
    assertThat(p.responder.skippedKeyCount()).isZero();
    for (int i : order) {
      int k = i;
      assertThatThrownBy(() -> p.responder.decrypt(sent.get(k), MB))
          .isInstanceOf(DuplicateMessageException.class);
    }
  }

  /** Checklist 17: a dropped message leaves a visible gap and still decrypts when it comes. */
  @Test
  void droppedMessageIsAVisibleGapAndDecryptsLate() throws Exception {
    RatchetPair p = RatchetPair.create();
    List<byte[]> sent = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      sent.add(p.initiator.encrypt(bytes("m" + i), MB));
    }
    for (int i = 0; i < 10; i++) {
      if (i == 4) {
        continue;
      }
      DecryptedMessage d = p.responder.decrypt(sent.get(i), MB);
      assertThat(d.newlySkipped()).isEqualTo(i == 5 ? 1 : 0);
    }
    assertThat(p.responder.skippedKeyCount()).isEqualTo(1);
    DecryptedMessage late = p.responder.decrypt(sent.get(4), MB);
    assertThat(late.late()).isTrue();
    assertThat(late.number()).isEqualTo(4);
    assertThat(late.plaintext()).isEqualTo(bytes("m4"));
  }

  /** A gap across a ratchet step: the previous chain's tail is stored under its header key. */
  @Test
  void gapAcrossRatchetStep() throws Exception {
    RatchetPair p = RatchetPair.create();
    p.responder.decrypt(p.initiator.encrypt(bytes("a0"), MB), MB);
    byte[] a1 = p.initiator.encrypt(bytes("a1"), MB);
    byte[] a2 = p.initiator.encrypt(bytes("a2"), MB);
    p.initiator.decrypt(p.responder.encrypt(bytes("b0"), MB), MB);
    byte[] a3 = p.initiator.encrypt(bytes("a3"), MB); // new chain, PN = 3
    DecryptedMessage d3 = p.responder.decrypt(a3, MB);
    assertThat(d3.ratchetStep()).isTrue();
    assertThat(d3.newlySkipped()).isEqualTo(2);
    assertThat(p.responder.decrypt(a2, MB).plaintext()).isEqualTo(bytes("a2"));
    assertThat(p.responder.decrypt(a1, MB).plaintext()).isEqualTo(bytes("a1"));
  }

  /** Checklist 24: huge counters are refused fast, before deriving any key, state unchanged. */
  @Test
  void skipBoundRefusesHugeGapsWithoutChangingState() throws Exception {
    // After one message the receiver expects N = 1; N = 1 + MAX_SKIP + 1 is one too far.
    for (long jump : new long[] {RatchetState.MAX_SKIP + 2L, 1L << 31, 0xFFFF_FFFEL}) {
      RatchetPair p = RatchetPair.create();
      p.responder.decrypt(p.initiator.encrypt(bytes("first"), MB), MB);
      RatchetState forger = p.initiator.copy();
      forger.sendCount = jump; // a sender whose counter leaps ahead
      byte[] m = forger.encrypt(bytes("far"), MB);
      byte[] before = p.responder.toByteArray();
      // Warm up the refusal path once so the timing below measures the check, not class loading.
      assertThatThrownBy(() -> p.responder.copy().decrypt(m, MB))
          .isInstanceOf(AuthenticationFailedException.class);
      long start = System.nanoTime();
      assertThatThrownBy(() -> p.responder.decrypt(m, MB))
          .isInstanceOf(AuthenticationFailedException.class)
          .hasMessageContaining("gap");
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertThat(millis).as("bounded time").isLessThan(50);
      assertThat(p.responder.toByteArray()).isEqualTo(before);
      assertThat(p.responder.skippedKeyCount()).isZero();
      // The next genuine message still decrypts.
      assertThat(p.responder.decrypt(p.initiator.encrypt(bytes("ok"), MB), MB).plaintext())
          .isEqualTo(bytes("ok"));
    }
    // Exactly MAX_SKIP is allowed.
    RatchetPair p = RatchetPair.create();
    for (int i = 0; i < RatchetState.MAX_SKIP; i++) {
      p.initiator.encrypt(bytes("dropped"), MB);
    }
    assertThat(p.responder.decrypt(p.initiator.encrypt(bytes("edge"), MB), MB).newlySkipped())
        .isEqualTo(RatchetState.MAX_SKIP);
  }

  /** Checklist 25: repeated gaps never grow the skipped-key store past its cap. */
  @Test
  void skippedKeyStoreStaysCappedOverManyGaps() throws Exception {
    RatchetPair p = RatchetPair.create();
    int delivered = 0;
    for (int round = 0; round < 10_000; round++) {
      byte[] last = null;
      for (int i = 0; i < 10; i++) {
        last = p.initiator.encrypt(bytes("x"), MB);
      }
      p.responder.decrypt(last, MB);
      delivered++;
      assertThat(p.responder.skippedKeyCount()).isLessThanOrEqualTo(RatchetState.MAX_SKIPPED_KEYS);
      if (round % 2000 == 0) {
        // Ratchet steps too, so the chain cap is exercised.
        p.initiator.decrypt(p.responder.encrypt(bytes("r"), MB), MB);
      }
    }
    assertThat(delivered).isEqualTo(10_000);
    assertThat(p.responder.skippedKeyCount()).isEqualTo(RatchetState.MAX_SKIPPED_KEYS);
    assertThat(p.responder.toByteArray().length).isLessThan(RatchetStateCodec.MAX_STATE_BYTES);
  }

  @Test
  void skippedKeysFromAtMostFiveChainsAreKept() throws Exception {
    RatchetPair p = RatchetPair.create();
    List<byte[]> undelivered = new ArrayList<>();
    for (int chain = 0; chain < 8; chain++) {
      undelivered.add(p.initiator.encrypt(bytes("lost " + chain), MB));
      p.responder.decrypt(p.initiator.encrypt(bytes("seen " + chain), MB), MB);
      p.initiator.decrypt(p.responder.encrypt(bytes("reply " + chain), MB), MB);
    }
    assertThat(p.responder.skippedKeyCount()).isEqualTo(RatchetState.MAX_SKIPPED_CHAINS);
    // The oldest chains' lost messages are no longer decryptable; the newest are.
    assertThatThrownBy(() -> p.responder.decrypt(undelivered.get(0), MB))
        .isInstanceOf(AuthenticationFailedException.class);
    assertThat(p.responder.decrypt(undelivered.get(7), MB).plaintext()).isEqualTo(bytes("lost 7"));
  }

  @Test
  void skippedKeysExpire() throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    RatchetPair p = RatchetPair.create(clock);
    byte[] lost = p.initiator.encrypt(bytes("lost"), MB);
    p.responder.decrypt(p.initiator.encrypt(bytes("seen"), MB), MB);
    assertThat(p.responder.skippedKeyCount()).isEqualTo(1);
    clock.now = clock.now.plus(Duration.ofSeconds(RatchetState.SKIPPED_KEY_MAX_AGE_SECONDS + 1));
    p.responder.decrypt(p.initiator.encrypt(bytes("later"), MB), MB);
    assertThat(p.responder.skippedKeyCount()).isZero();
    assertThatThrownBy(() -> p.responder.decrypt(lost, MB))
        .isInstanceOf(DuplicateMessageException.class);
  }

  /** Checklist 26: used keys are gone from the state, and a copy taken after cannot re-read. */
  @Test
  void forwardSecrecy() throws Exception {
    RatchetPair p = RatchetPair.create();
    p.responder.decrypt(p.initiator.encrypt(bytes("warm-up"), MB), MB);
    byte[] m = p.initiator.encrypt(bytes("secret"), MB);
    byte[] chainKey = p.responder.chainKeyReceive.clone();
    byte[] messageKey = RatchetKdf.messageKey(chainKey);
    byte[] cipherKey = RatchetKdf.messageCipherKey(messageKey);
    p.responder.decrypt(m, MB);
    String state = HexFormat.of().formatHex(p.responder.toByteArray());
    for (byte[] k : new byte[][] {chainKey, messageKey, cipherKey}) {
      assertThat(state).doesNotContain(HexFormat.of().formatHex(k));
    }
    RatchetState stolen = RatchetState.parse(p.responder.toByteArray());
    assertThatThrownBy(() -> stolen.decrypt(m, MB)).isInstanceOf(DuplicateMessageException.class);
  }

  /**
   * Checklist 27: a stolen state stops working once the victim has made a fresh DH key and the
   * peer has answered it (one round trip of new DH ratchet steps).
   */
  @Test
  void breakInRecovery() throws Exception {
    RatchetPair p = RatchetPair.create();
    p.responder.decrypt(p.initiator.encrypt(bytes("hello"), MB), MB);
    p.initiator.decrypt(p.responder.encrypt(bytes("hi"), MB), MB);
    RatchetState stolen = RatchetState.parse(p.initiator.toByteArray());
    // With the victim's current keys the attacker still reads the next chain...
    byte[] m1 = p.initiator.encrypt(bytes("to responder"), MB);
    p.responder.decrypt(m1, MB);
    byte[] m2 = p.responder.encrypt(bytes("still readable"), MB);
    assertThat(stolen.decrypt(m2, MB).plaintext()).isEqualTo(bytes("still readable"));
    // ...the victim receives it and ratchets with a key the attacker never saw...
    p.initiator.decrypt(m2, MB);
    byte[] m3 = p.initiator.encrypt(bytes("fresh key inside"), MB);
    p.responder.decrypt(m3, MB);
    // ...and from the peer's answer on, the stolen state reads nothing.
    byte[] m4 = p.responder.encrypt(bytes("after recovery"), MB);
    assertThatThrownBy(() -> stolen.decrypt(m4, MB))
        .isInstanceOf(AuthenticationFailedException.class);
    assertThat(p.initiator.decrypt(m4, MB).plaintext()).isEqualTo(bytes("after recovery"));
  }

  /** Deniability: the recipient alone can forge a message its own state accepts from the sender. */
  @Test
  void recipientCanForgeMessagesSoTheyProveNothing() throws Exception {
    RatchetPair p = RatchetPair.create();
    p.responder.decrypt(p.initiator.encrypt(bytes("real"), MB), MB);
    RatchetState mine = p.responder;
    RatchetState forger = new RatchetState(Clock.systemUTC());
    forger.dhSelfPublic = mine.dhRemote.clone();
    forger.chainKeySend = mine.chainKeyReceive.clone();
    forger.headerKeySend = mine.headerKeyReceive.clone();
    forger.sendCount = mine.receiveCount;
    forger.associatedData = mine.associatedData.clone();
    byte[] forged = forger.encrypt(bytes("words never written by the sender"), MB);
    assertThat(mine.decrypt(forged, MB).plaintext())
        .isEqualTo(bytes("words never written by the sender"));
  }

  /** Checklist 21: a sender restored from an old snapshot never reuses a (key, nonce) pair. */
  @Test
  void rollbackOfTheSenderIsDetectedAndNeverReusesANonce() throws Exception {
    RatchetPair p = RatchetPair.create();
    p.responder.decrypt(p.initiator.encrypt(bytes("warm-up"), MB), MB);
    byte[] snapshot = p.initiator.toByteArray();
    byte[] original = p.initiator.encrypt(bytes("original"), MB);
    p.responder.decrypt(original, MB);
    RatchetState rolledBack = RatchetState.parse(snapshot);
    byte[] again = rolledBack.encrypt(bytes("different"), MB);
    int nonceAt = RatchetState.ENCRYPTED_HEADER_LENGTH;
    assertThat(java.util.Arrays.copyOfRange(again, nonceAt, nonceAt + 12))
        .isNotEqualTo(java.util.Arrays.copyOfRange(original, nonceAt, nonceAt + 12));
    assertThatThrownBy(() -> p.responder.decrypt(again, MB))
        .isInstanceOf(DuplicateMessageException.class);
  }

  @Test
  void toStringShowsNoKeys() throws Exception {
    RatchetPair p = RatchetPair.create();
    String s = p.initiator.toString();
    assertThat(s).doesNotContain(HexFormat.of().formatHex(p.initiator.rootKey));
    assertThat(s).doesNotContain(HexFormat.of().formatHex(p.initiator.chainKeySend));
    assertThat(s).startsWith("RatchetState[");
  }

  static final class MutableClock extends Clock {
    Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
