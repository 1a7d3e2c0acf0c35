package dev.backchannel.benchmarks.peers.spj;

import java.time.Instant;
import java.util.List;
import java.util.function.UnaryOperator;
import org.whispersystems.libsignal.IdentityKeyPair;
import org.whispersystems.libsignal.SessionBuilder;
import org.whispersystems.libsignal.SessionCipher;
import org.whispersystems.libsignal.SignalProtocolAddress;
import org.whispersystems.libsignal.ecc.Curve;
import org.whispersystems.libsignal.ecc.ECKeyPair;
import org.whispersystems.libsignal.protocol.CiphertextMessage;
import org.whispersystems.libsignal.protocol.PreKeySignalMessage;
import org.whispersystems.libsignal.protocol.SignalMessage;
import org.whispersystems.libsignal.state.PreKeyBundle;
import org.whispersystems.libsignal.state.PreKeyRecord;
import org.whispersystems.libsignal.state.SignedPreKeyRecord;
import org.whispersystems.libsignal.state.impl.InMemorySignalProtocolStore;
import org.whispersystems.libsignal.util.KeyHelper;

/**
 * Alice and Bob on {@code signal-protocol-java} (GPL-3.0; pure Java), through its public API and
 * its in-memory stores only. X3DH: Bob's bundle has a signed and a one-time X25519 pre-key and no
 * post-quantum part. Every entry point returns JDK types only, because this class lives in its
 * own class loader (see the package documentation); checked exceptions pass through unwrapped.
 */
public final class SignalProtocolJavaPeers {
  static final SignalProtocolAddress ALICE = new SignalProtocolAddress("alice", 1);
  static final SignalProtocolAddress BOB = new SignalProtocolAddress("bob", 1);
  static final int ALICE_REGISTRATION = 1001;
  static final int BOB_REGISTRATION = 2002;
  static final int SIGNED_PRE_KEY_ID = 7;
  static final int ONE_TIME_PRE_KEY_ID = 11;

  private SignalProtocolJavaPeers() {}

  /**
   * An established session, past the pre-key message stage: Bob published a bundle, Alice
   * processed it and sent the pre-key message, Bob decrypted it and replied, Alice decrypted the
   * reply. Returns {@code [aliceToBob, bobToAlice]}: each encrypts, serializes, parses and
   * decrypts on the other side, and returns the plaintext.
   */
  public static List<UnaryOperator<byte[]>> establish() throws Exception {
    IdentityKeyPair bobIdentity = KeyHelper.generateIdentityKeyPair();
    InMemorySignalProtocolStore bobStore =
        new InMemorySignalProtocolStore(bobIdentity, BOB_REGISTRATION);
    InMemorySignalProtocolStore aliceStore =
        new InMemorySignalProtocolStore(KeyHelper.generateIdentityKeyPair(), ALICE_REGISTRATION);
    new SessionBuilder(aliceStore, BOB).process(publishBundle(bobStore, bobIdentity));
    SessionCipher alice = new SessionCipher(aliceStore, BOB);
    SessionCipher bob = new SessionCipher(bobStore, ALICE);

    byte[] hello = {1, 2, 3};
    CiphertextMessage first = alice.encrypt(hello);
    require(first.getType() == CiphertextMessage.PREKEY_TYPE, "the first message is a pre-key one");
    bob.decrypt(new PreKeySignalMessage(first.serialize()));
    alice.decrypt(new SignalMessage(bob.encrypt(hello).serialize()));
    CiphertextMessage next = alice.encrypt(hello);
    require(next.getType() == CiphertextMessage.WHISPER_TYPE, "after Bob's reply, plain messages");
    bob.decrypt(new SignalMessage(next.serialize()));

    UnaryOperator<byte[]> aliceToBob = p -> send(alice, bob, p);
    UnaryOperator<byte[]> bobToAlice = p -> send(bob, alice, p);
    return List.of(aliceToBob, bobToAlice);
  }

  /**
   * Full session setup per call: Alice's and Bob's identity keys, Bob's signed and one-time
   * pre-keys with the signature, the bundle, X3DH both roles, and the first message (the
   * operator's argument) encrypted by Alice and decrypted by Bob, who returns it.
   */
  public static UnaryOperator<byte[]> sessionSetup() {
    return first -> {
      try {
        IdentityKeyPair bobIdentity = KeyHelper.generateIdentityKeyPair();
        InMemorySignalProtocolStore bobStore =
            new InMemorySignalProtocolStore(bobIdentity, BOB_REGISTRATION);
        PreKeyBundle bundle = publishBundle(bobStore, bobIdentity);
        InMemorySignalProtocolStore aliceStore =
            new InMemorySignalProtocolStore(
                KeyHelper.generateIdentityKeyPair(), ALICE_REGISTRATION);
        return handshake(aliceStore, bobStore, bundle, first);
      } catch (Exception e) {
        throw sneaky(e);
      }
    };
  }

  /**
   * Session setup from a published bundle: the identities, pre-keys and bundle are made once,
   * here; each call puts the records into fresh stores and runs X3DH both roles and the first
   * message.
   */
  public static UnaryOperator<byte[]> sessionSetupFromBundle() throws Exception {
    IdentityKeyPair aliceIdentity = KeyHelper.generateIdentityKeyPair();
    IdentityKeyPair bobIdentity = KeyHelper.generateIdentityKeyPair();
    InMemorySignalProtocolStore published =
        new InMemorySignalProtocolStore(bobIdentity, BOB_REGISTRATION);
    PreKeyBundle bundle = publishBundle(published, bobIdentity);
    byte[] signedPreKey = published.loadSignedPreKey(SIGNED_PRE_KEY_ID).serialize();
    byte[] oneTimePreKey = published.loadPreKey(ONE_TIME_PRE_KEY_ID).serialize();
    return first -> {
      try {
        InMemorySignalProtocolStore bobStore =
            new InMemorySignalProtocolStore(bobIdentity, BOB_REGISTRATION);
        bobStore.storeSignedPreKey(SIGNED_PRE_KEY_ID, new SignedPreKeyRecord(signedPreKey));
        bobStore.storePreKey(ONE_TIME_PRE_KEY_ID, new PreKeyRecord(oneTimePreKey));
        InMemorySignalProtocolStore aliceStore =
            new InMemorySignalProtocolStore(aliceIdentity, ALICE_REGISTRATION);
        return handshake(aliceStore, bobStore, bundle, first);
      } catch (Exception e) {
        throw sneaky(e);
      }
    };
  }

  /** Whether curve25519-java found a native implementation (false: pure Java). */
  public static boolean curveIsNative() {
    return Curve.isNative();
  }

  private static PreKeyBundle publishBundle(
      InMemorySignalProtocolStore bobStore, IdentityKeyPair bobIdentity) throws Exception {
    ECKeyPair signedPreKey = Curve.generateKeyPair();
    byte[] signedPreKeySignature =
        Curve.calculateSignature(
            bobIdentity.getPrivateKey(), signedPreKey.getPublicKey().serialize());
    ECKeyPair oneTimePreKey = Curve.generateKeyPair();
    bobStore.storeSignedPreKey(
        SIGNED_PRE_KEY_ID,
        new SignedPreKeyRecord(
            SIGNED_PRE_KEY_ID, Instant.now().toEpochMilli(), signedPreKey, signedPreKeySignature));
    bobStore.storePreKey(ONE_TIME_PRE_KEY_ID, new PreKeyRecord(ONE_TIME_PRE_KEY_ID, oneTimePreKey));
    return new PreKeyBundle(
        BOB_REGISTRATION,
        BOB.getDeviceId(),
        ONE_TIME_PRE_KEY_ID,
        oneTimePreKey.getPublicKey(),
        SIGNED_PRE_KEY_ID,
        signedPreKey.getPublicKey(),
        signedPreKeySignature,
        bobIdentity.getPublicKey());
  }

  private static byte[] handshake(
      InMemorySignalProtocolStore aliceStore,
      InMemorySignalProtocolStore bobStore,
      PreKeyBundle bundle,
      byte[] first)
      throws Exception {
    new SessionBuilder(aliceStore, BOB).process(bundle);
    byte[] wire = new SessionCipher(aliceStore, BOB).encrypt(first).serialize();
    return new SessionCipher(bobStore, ALICE).decrypt(new PreKeySignalMessage(wire));
  }

  private static byte[] send(SessionCipher from, SessionCipher to, byte[] plaintext) {
    try {
      return to.decrypt(new SignalMessage(from.encrypt(plaintext).serialize()));
    } catch (Exception e) {
      throw sneaky(e);
    }
  }

  private static void require(boolean condition, String what) {
    if (!condition) {
      throw new IllegalStateException("signal-protocol-java setup: expected " + what);
    }
  }

  /** Rethrows {@code t} as it is (checked or not) from a JDK functional interface. */
  @SuppressWarnings("unchecked")
  private static <E extends Throwable> RuntimeException sneaky(Throwable t) throws E {
    throw (E) t;
  }
}
