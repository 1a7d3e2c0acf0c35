package dev.backchannel.crypto.handshake;

import dev.backchannel.api.error.AuthenticationFailedException;
import dev.backchannel.api.error.MalformedInputException;
import dev.backchannel.api.error.UnknownSessionException;
import dev.backchannel.crypto.IdentityKeyPair;
import dev.backchannel.crypto.IdentityPublicKey;
import dev.backchannel.crypto.InsecureSecretAccess;
import dev.backchannel.crypto.SecretBytes;
import dev.backchannel.crypto.internal.Hkdf;
import dev.backchannel.crypto.internal.MlKem768;
import dev.backchannel.crypto.internal.X25519;
import dev.backchannel.crypto.prekey.PreKeyBundle;
import dev.backchannel.crypto.prekey.PreKeyStore;
import dev.backchannel.crypto.ratchet.RatchetSeed;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The hybrid handshake (PQXDH-style): X25519 agreements with the identity, signed and one-time
 * prekeys plus an ML-KEM-768 encapsulation, mixed by HKDF-SHA256 into a {@link RatchetSeed}.
 *
 * <p>Guarantees: both sides derive the same seed only if they agree on both identities, every
 * key used, the KEM ciphertext and the caller's {@code context}, all of which the transcript hash
 * binds (docs/PROTOCOL.md, "Handshake"). A low-order key makes an agreement all zeros and the
 * handshake fails with {@link AuthenticationFailedException}. The bundle is verified before any
 * agreement. Stateless and thread-safe; the prekey store passed to {@link #respond} is only read.
 *
 * @since 0.1
 */
public final class HybridHandshake {
  /** Protocol version mixed into the transcript. */
  public static final int VERSION = 1;
  /** Largest caller context accepted. */
  public static final int MAX_CONTEXT = 1024;

  static final byte[] TRANSCRIPT_LABEL = Hkdf.label("Backchannel-v1 handshake transcript");
  static final byte[] KDF_LABEL = Hkdf.label("Backchannel-v1 handshake");
  static final byte[] SESSION_AD_LABEL = Hkdf.label("Backchannel-v1 session");
  private static final InsecureSecretAccess ACCESS = InsecureSecretAccess.get();

  private HybridHandshake() {}

  /**
   * The initiator's side: verifies {@code theirs} and derives the session.
   *
   * @param context bytes both sides must agree on (the runtime passes the invitation mailbox id)
   * @throws MalformedInputException if the bundle has malformed keys or the context is too long
   * @throws AuthenticationFailedException if a signature is invalid or an agreement gives zeros
   */
  public static Initiation initiate(IdentityKeyPair me, PreKeyBundle theirs, byte[] context)
      throws MalformedInputException, AuthenticationFailedException {
    checkContext(context);
    theirs.verify();
    IdentityPublicKey responder = theirs.identity();
    byte[] ek = X25519.generatePrivateKey();
    byte[] ekPublic = X25519.publicKey(ek);
    byte[] spk = theirs.signedPreKey();
    byte[] opk = theirs.oneTimePreKey();
    byte[][] dh = new byte[4][];
    MlKem768.Encapsulation kem = null;
    try {
      dh[0] = me.agree(spk);
      dh[1] = X25519.agree(ek, responder.x25519());
      dh[2] = X25519.agree(ek, spk);
      if (opk != null) {
        dh[3] = X25519.agree(ek, opk);
      }
      kem = MlKem768.encapsulate(theirs.kemPreKey());
      long opkId = opk == null ? -1 : theirs.oneTimePreKeyId().getAsLong();
      byte[] th =
          transcriptHash(
              responder, me.publicKey(), ekPublic, theirs.signedPreKeyId(), spk, opkId, opk,
              theirs.kemPreKeyId(), theirs.kemLastResort(), theirs.kemPreKey(), kem.ciphertext(),
              context);
      RatchetSeed seed = derive(dh, kem.sharedSecret(), th);
      InitialMessage header =
          new InitialMessage(
              me.publicKey(), responder.fingerprint(), ekPublic, theirs.signedPreKeyId(), opkId,
              theirs.kemPreKeyId(), theirs.kemLastResort(), kem.ciphertext(), new byte[0]);
      return new Initiation(seed, spk, header);
    } finally {
      wipe(dh);
      Arrays.fill(ek, (byte) 0);
      if (kem != null) {
        Arrays.fill(kem.sharedSecret(), (byte) 0);
      }
    }
  }

  /**
   * The responder's side: derives the session from an initial message addressed to {@code me}.
   * Does not consume the one-time prekeys: call {@link Response#commit(PreKeyStore)} once the
   * first message has authenticated.
   *
   * @throws UnknownSessionException if the message is for another identity, or names a prekey
   *     that does not exist or was already used
   * @throws MalformedInputException if the context is too long
   * @throws AuthenticationFailedException if an agreement gives zeros (a low-order key)
   */
  public static Response respond(
      IdentityKeyPair me, PreKeyStore store, InitialMessage message, byte[] context)
      throws UnknownSessionException, MalformedInputException, AuthenticationFailedException {
    checkContext(context);
    if (!me.publicKey().hasFingerprint(message.responderFingerprint)) {
      throw new UnknownSessionException("initial message is addressed to another identity");
    }
    SecretBytes spkPrivate = store.signedPreKey(message.signedPreKeyId, ACCESS);
    SecretBytes opkPrivate = null;
    SecretBytes kemSeed = null;
    byte[][] dh = new byte[4][];
    byte[] ss = null;
    try {
      if (message.oneTimePreKeyId >= 0) {
        opkPrivate = store.oneTimePreKey(message.oneTimePreKeyId, ACCESS);
      }
      kemSeed = store.kemPreKey(message.kemPreKeyId, message.kemLastResort, ACCESS);
      byte[] spkPublic = store.signedPreKeyPublic(message.signedPreKeyId);
      byte[] initiatorX = message.initiator.x25519();
      dh[0] = X25519.agree(spkPrivate.unsafeBytes(ACCESS), initiatorX);
      dh[1] = me.agree(message.ephemeralKey);
      dh[2] = X25519.agree(spkPrivate.unsafeBytes(ACCESS), message.ephemeralKey);
      byte[] opkPublic = null;
      if (opkPrivate != null) {
        dh[3] = X25519.agree(opkPrivate.unsafeBytes(ACCESS), message.ephemeralKey);
        opkPublic = store.oneTimePreKeyPublic(message.oneTimePreKeyId);
      }
      byte[] seedBytes = kemSeed.unsafeBytes(ACCESS);
      ss = MlKem768.decapsulate(seedBytes, message.kemCiphertext);
      byte[] th =
          transcriptHash(
              me.publicKey(), message.initiator, message.ephemeralKey, message.signedPreKeyId,
              spkPublic, message.oneTimePreKeyId, opkPublic, message.kemPreKeyId,
              message.kemLastResort, store.kemPreKeyPublic(message.kemPreKeyId, message.kemLastResort),
              message.kemCiphertext, context);
      RatchetSeed seed = derive(dh, ss, th);
      return new Response(seed, spkPrivate, message);
    } catch (UnknownSessionException | MalformedInputException | AuthenticationFailedException
        | RuntimeException e) {
      spkPrivate.close();
      throw e;
    } finally {
      wipe(dh);
      if (ss != null) {
        Arrays.fill(ss, (byte) 0);
      }
      if (opkPrivate != null) {
        opkPrivate.close();
      }
      if (kemSeed != null) {
        kemSeed.close();
      }
    }
  }

  private static void checkContext(byte[] context) throws MalformedInputException {
    if (context == null || context.length > MAX_CONTEXT) {
      throw new MalformedInputException("handshake context must be at most " + MAX_CONTEXT + " bytes");
    }
  }

  /**
   * {@code okm = HKDF(salt = 32 zero bytes, ikm = 0xFF*32 || DH1 || DH2 || DH3 [|| DH4] || SS,
   * info = "Backchannel-v1 handshake" || th, 96)}.
   */
  private static RatchetSeed derive(byte[][] dh, byte[] ss, byte[] th) {
    ByteArrayOutputStream ikm = new ByteArrayOutputStream(32 * 6);
    byte[] ff = new byte[32];
    Arrays.fill(ff, (byte) 0xff);
    ikm.writeBytes(ff);
    for (byte[] d : dh) {
      if (d != null) {
        ikm.writeBytes(d);
      }
    }
    ikm.writeBytes(ss);
    byte[] ikmBytes = ikm.toByteArray();
    byte[] info = Arrays.copyOf(KDF_LABEL, KDF_LABEL.length + th.length);
    System.arraycopy(th, 0, info, KDF_LABEL.length, th.length);
    byte[] okm = Hkdf.derive(null, ikmBytes, info, 96);
    Arrays.fill(ikmBytes, (byte) 0);
    byte[] ad = Arrays.copyOf(SESSION_AD_LABEL, SESSION_AD_LABEL.length + th.length);
    System.arraycopy(th, 0, ad, SESSION_AD_LABEL.length, th.length);
    RatchetSeed seed =
        new RatchetSeed(
            SecretBytes.copyOf(okm, 0, 32, ACCESS),
            SecretBytes.copyOf(okm, 32, 32, ACCESS),
            SecretBytes.copyOf(okm, 64, 32, ACCESS),
            ad);
    Arrays.fill(okm, (byte) 0);
    return seed;
  }

  /** SHA-256 of the transcript laid out in docs/PROTOCOL.md, "Handshake". */
  static byte[] transcriptHash(
      IdentityPublicKey responder,
      IdentityPublicKey initiator,
      byte[] ephemeral,
      long spkId,
      byte[] spk,
      long opkId,
      byte[] opk,
      long kemId,
      boolean kemLastResort,
      byte[] kemPublic,
      byte[] kemCiphertext,
      byte[] context) {
    ByteBuffer b =
        ByteBuffer.allocate(
            TRANSCRIPT_LABEL.length + 1 + 128 + 128 + 32 + 4 + 32 + 1 + 4 + 32 + 4 + 1 + 32 + 32
                + 2 + context.length);
    b.put(TRANSCRIPT_LABEL)
        .put((byte) VERSION)
        .put(responder.encoded())
        .put(initiator.encoded())
        .put(ephemeral)
        .putInt((int) spkId)
        .put(spk);
    if (opk != null) {
      b.put((byte) 1).putInt((int) opkId).put(opk);
    } else {
      b.put((byte) 0);
    }
    b.putInt((int) kemId)
        .put((byte) (kemLastResort ? 1 : 0))
        .put(sha256(kemPublic))
        .put(sha256(kemCiphertext))
        .putShort((short) context.length)
        .put(context);
    return sha256(Arrays.copyOf(b.array(), b.position()));
  }

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every JDK", e);
    }
  }

  private static void wipe(byte[][] arrays) {
    for (byte[] a : arrays) {
      if (a != null) {
        Arrays.fill(a, (byte) 0);
      }
    }
  }

  /**
   * The initiator's result: the seed for {@code RatchetState.initiator}, the responder's ratchet
   * key, and the initial message (to which the first ratchet message is added).
   */
  public static final class Initiation implements AutoCloseable {
    private final RatchetSeed seed;
    private final byte[] responderRatchetKey;
    private final InitialMessage header;

    Initiation(RatchetSeed seed, byte[] responderRatchetKey, InitialMessage header) {
      this.seed = seed;
      this.responderRatchetKey = responderRatchetKey.clone();
      this.header = header;
    }

    /** The derived seed; owned by this object. */
    public RatchetSeed seed() {
      return seed;
    }

    /** The responder's signed prekey: its first ratchet public key (a copy). */
    public byte[] responderRatchetKey() {
      return responderRatchetKey.clone();
    }

    /** The initial message carrying {@code firstRatchetMessage}. */
    public InitialMessage message(byte[] firstRatchetMessage) {
      InitialMessage h = header;
      return new InitialMessage(
          h.initiator, h.responderFingerprint, h.ephemeralKey, h.signedPreKeyId, h.oneTimePreKeyId,
          h.kemPreKeyId, h.kemLastResort, h.kemCiphertext, firstRatchetMessage);
    }

    /** Zeroes the seed. */
    @Override
    public void close() {
      seed.close();
    }

    @Override
    public String toString() {
      return "Initiation[redacted]";
    }
  }

  /** The responder's result: the seed for {@code RatchetState.responder} and the initiator. */
  public static final class Response implements AutoCloseable {
    private final RatchetSeed seed;
    private final SecretBytes signedPreKeyPrivate;
    private final InitialMessage message;

    Response(RatchetSeed seed, SecretBytes signedPreKeyPrivate, InitialMessage message) {
      this.seed = seed;
      this.signedPreKeyPrivate = signedPreKeyPrivate;
      this.message = message;
    }

    /** The derived seed; owned by this object. */
    public RatchetSeed seed() {
      return seed;
    }

    /** The signed prekey's private key: the responder's first ratchet key; owned by this object. */
    public SecretBytes responderRatchetPrivateKey() {
      return signedPreKeyPrivate;
    }

    /** The initiator's identity, proven by the derived keys once the first message opens. */
    public IdentityPublicKey initiator() {
      return message.initiator;
    }

    /** Erases the one-time prekeys this handshake used from {@code store}. */
    public void commit(PreKeyStore store) {
      store.markUsed(message.oneTimePreKeyId, message.kemPreKeyId, message.kemLastResort);
    }

    /** Zeroes the seed and the prekey copy. */
    @Override
    public void close() {
      seed.close();
      signedPreKeyPrivate.close();
    }

    @Override
    public String toString() {
      return "Response[initiator=" + message.initiator + ", keys redacted]";
    }
  }
}
