package dev.backchannel.crypto.handshake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.backchannel.api.error.AuthenticationFailedException;
import dev.backchannel.api.error.BackchannelException;
import dev.backchannel.api.error.MalformedInputException;
import dev.backchannel.api.error.UnknownSessionException;
import dev.backchannel.crypto.IdentityKeyPair;
import dev.backchannel.crypto.InsecureSecretAccess;
import dev.backchannel.crypto.SafetyNumbers;
import dev.backchannel.crypto.internal.X25519;
import dev.backchannel.crypto.internal.proto.InitialMessageProto;
import dev.backchannel.crypto.prekey.PreKeyBundle;
import dev.backchannel.crypto.prekey.PreKeyStore;
import dev.backchannel.crypto.ratchet.RatchetSeed;
import dev.backchannel.crypto.ratchet.RatchetState;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SessionStartTest {
  private static final byte[] CONTEXT = "invitation mailbox 0123456789abcdef".getBytes(StandardCharsets.UTF_8);
  private static final byte[] HELLO = "hello, responder".getBytes(StandardCharsets.UTF_8);

  private final IdentityKeyPair alice = IdentityKeyPair.generate(); // responder (publishes)
  private final IdentityKeyPair bob = IdentityKeyPair.generate(); // initiator (accepts)
  private final PreKeyStore aliceStore = PreKeyStore.generate(alice);

  @AfterEach
  void close() {
    alice.close();
    bob.close();
  }

  @Test
  void bothRolesDeriveTheSameSeedWithAndWithoutOneTimePrekeys() throws Exception {
    for (PreKeyBundle bundle : new PreKeyBundle[] {aliceStore.newBundle(alice), aliceStore.lastResortBundle(alice)}) {
      try (HybridHandshake.Initiation init = HybridHandshake.initiate(bob, bundle, CONTEXT);
          HybridHandshake.Response resp =
              HybridHandshake.respond(alice, aliceStore, init.message(new byte[] {1}), CONTEXT)) {
        assertSameSeed(init.seed(), resp.seed());
        assertThat(resp.initiator()).isEqualTo(bob.publicKey());
        assertThat(init.responderRatchetKey())
            .isEqualTo(X25519.publicKey(resp.responderRatchetPrivateKey().unsafeBytes(InsecureSecretAccess.get())));
      }
    }
  }

  @Test
  void sessionStartsAndBothSidesTalk() throws Exception {
    SessionStart.Started started =
        SessionStart.initiate(bob, aliceStore.newBundle(alice), CONTEXT, HELLO);
    SessionStart.Accepted accepted =
        SessionStart.accept(alice, aliceStore, started.initialMessage(), CONTEXT);
    assertThat(accepted.firstPayload()).isEqualTo(HELLO);
    assertThat(accepted.peer()).isEqualTo(bob.publicKey());
    RatchetState a = accepted.session();
    RatchetState b = started.session();
    byte[] mb = new byte[32];
    byte[] reply = a.encrypt("hi".getBytes(StandardCharsets.UTF_8), mb);
    assertThat(b.decrypt(reply, mb).plaintext()).isEqualTo("hi".getBytes(StandardCharsets.UTF_8));
    assertThat(SafetyNumbers.of(accepted.peer(), alice.publicKey()))
        .isEqualTo(SafetyNumbers.of(alice.publicKey(), bob.publicKey()));
  }

  @Test
  void oneTimePrekeyCanBeUsedOnceSoAReplayedInitialMessageFails() throws Exception {
    SessionStart.Started started =
        SessionStart.initiate(bob, aliceStore.newBundle(alice), CONTEXT, HELLO);
    SessionStart.accept(alice, aliceStore, started.initialMessage(), CONTEXT);
    assertThat(aliceStore.oneTimePreKeyCount()).isZero();
    assertThatThrownBy(() -> SessionStart.accept(alice, aliceStore, started.initialMessage(), CONTEXT))
        .isInstanceOf(UnknownSessionException.class);
  }

  /** Checklist 12: a changed ML-KEM ciphertext alone makes the keys differ. */
  @Test
  void tamperedKemCiphertextFailsAndConsumesNothing() throws Exception {
    SessionStart.Started started =
        SessionStart.initiate(bob, aliceStore.newBundle(alice), CONTEXT, HELLO);
    InitialMessageProto p = InitialMessageProto.parseFrom(started.initialMessage());
    byte[] ct = p.getKemCiphertext().toByteArray();
    ct[100] ^= 0x04;
    byte[] tampered = p.toBuilder().setKemCiphertext(ByteString.copyFrom(ct)).build().toByteArray();
    byte[] storeBefore = aliceStore.toByteArray();
    assertThatThrownBy(() -> SessionStart.accept(alice, aliceStore, tampered, CONTEXT))
        .isInstanceOf(AuthenticationFailedException.class);
    assertThat(aliceStore.toByteArray()).isEqualTo(storeBefore);
    // The genuine message still works afterwards.
    assertThat(SessionStart.accept(alice, aliceStore, started.initialMessage(), CONTEXT).firstPayload())
        .isEqualTo(HELLO);
  }

  /** Checklist 6: a relay that rewrites the sender identity gets the message rejected. */
  @Test
  void rewrittenInitiatorIdentityIsRejected() throws Exception {
    try (IdentityKeyPair mallory = IdentityKeyPair.generate()) {
      SessionStart.Started started =
          SessionStart.initiate(bob, aliceStore.newBundle(alice), CONTEXT, HELLO);
      InitialMessageProto p = InitialMessageProto.parseFrom(started.initialMessage());
      byte[] forged = p.toBuilder()
          .setInitiatorIdentity(ByteString.copyFrom(mallory.publicKey().encoded()))
          .build().toByteArray();
      assertThatThrownBy(() -> SessionStart.accept(alice, aliceStore, forged, CONTEXT))
          .isInstanceOf(AuthenticationFailedException.class);
    }
  }

  /** Checklist 6, other direction: a different context (e.g. another mailbox) is rejected. */
  @Test
  void contextIsBound() throws Exception {
    SessionStart.Started started =
        SessionStart.initiate(bob, aliceStore.newBundle(alice), CONTEXT, HELLO);
    assertThatThrownBy(
            () -> SessionStart.accept(alice, aliceStore, started.initialMessage(), new byte[] {1}))
        .isInstanceOf(AuthenticationFailedException.class);
  }

  /** Checklist 7: a first message for device A delivered to device B is refused. */
  @Test
  void initialMessageForAnotherIdentityIsRefused() throws Exception {
    try (IdentityKeyPair aliceOtherDevice = IdentityKeyPair.generate()) {
      PreKeyStore otherStore = PreKeyStore.generate(aliceOtherDevice);
      SessionStart.Started started =
          SessionStart.initiate(bob, aliceStore.newBundle(alice), CONTEXT, HELLO);
      assertThatThrownBy(
              () -> SessionStart.accept(aliceOtherDevice, otherStore, started.initialMessage(), CONTEXT))
          .isInstanceOf(UnknownSessionException.class)
          .hasMessageContaining("another identity");
      // Even with the fingerprint rewritten to match, the keys do not.
      InitialMessageProto p = InitialMessageProto.parseFrom(started.initialMessage());
      byte[] readdressed = p.toBuilder()
          .setResponderFingerprint(ByteString.copyFrom(aliceOtherDevice.publicKey().fingerprint()))
          .build().toByteArray();
      assertThatThrownBy(() -> SessionStart.accept(aliceOtherDevice, otherStore, readdressed, CONTEXT))
          .isInstanceOf(BackchannelException.class);
    }
  }

  /**
   * Checklist 5 (KCI): an attacker holding the responder's identity private key, but not the
   * initiator's, cannot open a session to the responder as the initiator.
   */
  @Test
  void keyCompromiseImpersonationFails() throws Exception {
    PreKeyBundle bundle = aliceStore.newBundle(alice);
    // The attacker knows alice's identity key (it is "alice" here) and runs the handshake as far
    // as it can, claiming bob's identity: it must guess DH1 = DH(IK_bob, SPK_alice).
    try (IdentityKeyPair attacker = IdentityKeyPair.generate()) {
      SessionStart.Started attempt = SessionStart.initiate(attacker, bundle, CONTEXT, HELLO);
      InitialMessageProto p = InitialMessageProto.parseFrom(attempt.initialMessage());
      byte[] asBob = p.toBuilder()
          .setInitiatorIdentity(ByteString.copyFrom(bob.publicKey().encoded()))
          .build().toByteArray();
      assertThatThrownBy(() -> SessionStart.accept(alice, aliceStore, asBob, CONTEXT))
          .isInstanceOf(AuthenticationFailedException.class);
      // With alice's identity key the attacker can compute DH(IK_alice, IK_bob) but that is not
      // an input of the key schedule: substituting it for DH1 does not help either.
      byte[] guessDh1 = alice.agree(bob.publicKey().x25519());
      assertThat(guessDh1).hasSize(32);
      assertThat(aliceStore.oneTimePreKeyCount()).isEqualTo(1);
    }
  }

  /** Checklist 10: a low-order ephemeral key aborts with a typed error and consumes nothing. */
  @Test
  void lowOrderEphemeralKeyIsRejected() throws Exception {
    SessionStart.Started started =
        SessionStart.initiate(bob, aliceStore.newBundle(alice), CONTEXT, HELLO);
    InitialMessageProto p = InitialMessageProto.parseFrom(started.initialMessage());
    for (String hex : new String[] {
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"}) {
      byte[] bad = p.toBuilder()
          .setEphemeralKey(ByteString.copyFrom(HexFormat.of().parseHex(hex)))
          .build().toByteArray();
      byte[] before = aliceStore.toByteArray();
      assertThatThrownBy(() -> SessionStart.accept(alice, aliceStore, bad, CONTEXT))
          .isInstanceOf(AuthenticationFailedException.class);
      assertThat(aliceStore.toByteArray()).isEqualTo(before);
    }
  }

  /** Checklist 9: a handshake-derived key cannot open anything of another sub-protocol. */
  @Test
  void initialMessageIsNotARatchetMessageAndViceVersa() throws Exception {
    SessionStart.Started started =
        SessionStart.initiate(bob, aliceStore.newBundle(alice), CONTEXT, HELLO);
    SessionStart.Accepted accepted =
        SessionStart.accept(alice, aliceStore, started.initialMessage(), CONTEXT);
    byte[] ratchetMessage = accepted.session().encrypt(HELLO, CONTEXT);
    assertThatThrownBy(() -> InitialMessage.parse(ratchetMessage))
        .isInstanceOf(MalformedInputException.class);
    assertThatThrownBy(() -> started.session().copy().decrypt(started.initialMessage(), CONTEXT))
        .isInstanceOf(AuthenticationFailedException.class);
  }

  @Test
  void garbageInitialMessagesGiveTypedErrorsAndConsumeNothing() throws Exception {
    aliceStore.newBundle(alice);
    byte[] before = aliceStore.toByteArray();
    SessionStart.Started started =
        SessionStart.initiate(bob, aliceStore.lastResortBundle(alice), CONTEXT, HELLO);
    byte[] genuine = started.initialMessage();
    Random r = new Random(3);
    for (int i = 0; i < 300; i++) {
      byte[] junk = genuine.clone();
      junk[r.nextInt(junk.length)] ^= (byte) (1 + r.nextInt(255));
      try {
        SessionStart.accept(alice, aliceStore, junk, CONTEXT);
        throw new AssertionError("a corrupted initial message was accepted at " + i);
      } catch (BackchannelException expected) {
        // typed
      }
    }
    assertThat(aliceStore.toByteArray()).isEqualTo(before);
  }

  private static void assertSameSeed(RatchetSeed a, RatchetSeed b) {
    InsecureSecretAccess t = InsecureSecretAccess.get();
    assertThat(a.rootKey().toByteArray(t)).isEqualTo(b.rootKey().toByteArray(t));
    assertThat(a.initiatorHeaderKey().toByteArray(t)).isEqualTo(b.initiatorHeaderKey().toByteArray(t));
    assertThat(a.responderHeaderKey().toByteArray(t)).isEqualTo(b.responderHeaderKey().toByteArray(t));
    assertThat(a.associatedData()).isEqualTo(b.associatedData());
    assertThat(a.rootKey().toByteArray(t)).isNotEqualTo(a.initiatorHeaderKey().toByteArray(t));
  }
}
