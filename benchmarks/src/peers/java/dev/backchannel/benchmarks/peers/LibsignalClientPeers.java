package dev.backchannel.benchmarks.peers;

import java.time.Instant;
import org.signal.libsignal.protocol.IdentityKeyPair;
import org.signal.libsignal.protocol.SessionBuilder;
import org.signal.libsignal.protocol.SessionCipher;
import org.signal.libsignal.protocol.SignalProtocolAddress;
import org.signal.libsignal.protocol.ecc.ECKeyPair;
import org.signal.libsignal.protocol.kem.KEMKeyPair;
import org.signal.libsignal.protocol.kem.KEMKeyType;
import org.signal.libsignal.protocol.message.CiphertextMessage;
import org.signal.libsignal.protocol.message.PreKeySignalMessage;
import org.signal.libsignal.protocol.message.SignalMessage;
import org.signal.libsignal.protocol.state.KyberPreKeyRecord;
import org.signal.libsignal.protocol.state.PreKeyBundle;
import org.signal.libsignal.protocol.state.PreKeyRecord;
import org.signal.libsignal.protocol.state.SignedPreKeyRecord;
import org.signal.libsignal.protocol.state.impl.InMemorySignalProtocolStore;

/**
 * Alice and Bob on {@code libsignal-client} (AGPL-3.0; Rust through JNI), through its public API
 * and its in-memory stores only. PQXDH: Bob's bundle carries a signed Kyber-1024 pre-key beside
 * the signed and one-time X25519 pre-keys.
 */
final class LibsignalClientPeers {
  static final SignalProtocolAddress ALICE = new SignalProtocolAddress("alice", 1);
  static final SignalProtocolAddress BOB = new SignalProtocolAddress("bob", 1);
  static final int ALICE_REGISTRATION = 1001;
  static final int BOB_REGISTRATION = 2002;
  static final int SIGNED_PRE_KEY_ID = 7;
  static final int ONE_TIME_PRE_KEY_ID = 11;
  static final int KYBER_PRE_KEY_ID = 13;

  /** Both sides of an established session, past the pre-key message stage. */
  static final class Pair {
    private final SessionCipher alice;
    private final SessionCipher bob;

    private Pair(SessionCipher alice, SessionCipher bob) {
      this.alice = alice;
      this.bob = bob;
    }

    /** Alice encrypts, the bytes travel, Bob parses and decrypts. */
    byte[] aliceToBob(byte[] plaintext) throws Exception {
      return bob.decrypt(new SignalMessage(alice.encrypt(plaintext).serialize()));
    }

    /** Bob encrypts, the bytes travel, Alice parses and decrypts. */
    byte[] bobToAlice(byte[] plaintext) throws Exception {
      return alice.decrypt(new SignalMessage(bob.encrypt(plaintext).serialize()));
    }
  }

  private LibsignalClientPeers() {}

  /**
   * Bob publishes a bundle, Alice processes it and sends the pre-key message, Bob decrypts it and
   * replies, Alice decrypts the reply: from then on both sides send plain {@code SignalMessage}s.
   */
  static Pair establish() throws Exception {
    IdentityKeyPair bobIdentity = IdentityKeyPair.generate();
    InMemorySignalProtocolStore bobStore =
        new InMemorySignalProtocolStore(bobIdentity, BOB_REGISTRATION);
    InMemorySignalProtocolStore aliceStore =
        new InMemorySignalProtocolStore(IdentityKeyPair.generate(), ALICE_REGISTRATION);
    new SessionBuilder(aliceStore, BOB).process(publishBundle(bobStore, bobIdentity));

    Pair p = new Pair(new SessionCipher(aliceStore, BOB), new SessionCipher(bobStore, ALICE));
    byte[] hello = {1, 2, 3};
    CiphertextMessage first = p.alice.encrypt(hello);
    require(first.getType() == CiphertextMessage.PREKEY_TYPE, "the first message is a pre-key one");
    p.bob.decrypt(new PreKeySignalMessage(first.serialize()));
    p.bobToAlice(hello);
    CiphertextMessage next = p.alice.encrypt(hello);
    require(next.getType() == CiphertextMessage.WHISPER_TYPE, "after Bob's reply, plain messages");
    p.bob.decrypt(new SignalMessage(next.serialize()));
    return p;
  }

  /**
   * Bob's signed pre-key, one-time pre-key and signed Kyber pre-key, generated and signed with
   * his identity key, stored in his store; returns the bundle Alice fetches.
   */
  static PreKeyBundle publishBundle(
      InMemorySignalProtocolStore bobStore, IdentityKeyPair bobIdentity) {
    long now = Instant.now().toEpochMilli();
    ECKeyPair signedPreKey = ECKeyPair.generate();
    byte[] signedPreKeySignature =
        bobIdentity.getPrivateKey().calculateSignature(signedPreKey.getPublicKey().serialize());
    ECKeyPair oneTimePreKey = ECKeyPair.generate();
    KEMKeyPair kyberPreKey = KEMKeyPair.generate(KEMKeyType.KYBER_1024);
    byte[] kyberPreKeySignature =
        bobIdentity.getPrivateKey().calculateSignature(kyberPreKey.getPublicKey().serialize());
    bobStore.storeSignedPreKey(
        SIGNED_PRE_KEY_ID,
        new SignedPreKeyRecord(SIGNED_PRE_KEY_ID, now, signedPreKey, signedPreKeySignature));
    bobStore.storePreKey(ONE_TIME_PRE_KEY_ID, new PreKeyRecord(ONE_TIME_PRE_KEY_ID, oneTimePreKey));
    bobStore.storeKyberPreKey(
        KYBER_PRE_KEY_ID,
        new KyberPreKeyRecord(KYBER_PRE_KEY_ID, now, kyberPreKey, kyberPreKeySignature));
    return new PreKeyBundle(
        BOB_REGISTRATION,
        BOB.getDeviceId(),
        ONE_TIME_PRE_KEY_ID,
        oneTimePreKey.getPublicKey(),
        SIGNED_PRE_KEY_ID,
        signedPreKey.getPublicKey(),
        signedPreKeySignature,
        bobIdentity.getPublicKey(),
        KYBER_PRE_KEY_ID,
        kyberPreKey.getPublicKey(),
        kyberPreKeySignature);
  }

  /**
   * Alice processes Bob's bundle (verifying its signatures), encrypts {@code first}; Bob parses
   * and decrypts that pre-key message. Returns Bob's plaintext.
   */
  static byte[] handshake(
      InMemorySignalProtocolStore aliceStore,
      InMemorySignalProtocolStore bobStore,
      PreKeyBundle bundle,
      byte[] first)
      throws Exception {
    new SessionBuilder(aliceStore, BOB).process(bundle);
    byte[] wire = new SessionCipher(aliceStore, BOB).encrypt(first).serialize();
    return new SessionCipher(bobStore, ALICE).decrypt(new PreKeySignalMessage(wire));
  }

  static void require(boolean condition, String what) {
    if (!condition) {
      throw new IllegalStateException("benchmark setup: expected " + what);
    }
  }
}
