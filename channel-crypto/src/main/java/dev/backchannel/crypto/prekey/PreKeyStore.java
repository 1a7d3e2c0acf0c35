package dev.backchannel.crypto.prekey;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.backchannel.api.error.MalformedInputException;
import dev.backchannel.api.error.UnknownSessionException;
import dev.backchannel.crypto.IdentityKeyPair;
import dev.backchannel.crypto.InsecureSecretAccess;
import dev.backchannel.crypto.SecretBytes;
import dev.backchannel.crypto.internal.MlKem768;
import dev.backchannel.crypto.internal.X25519;
import dev.backchannel.crypto.internal.proto.OneTimeKem;
import dev.backchannel.crypto.internal.proto.OneTimeX25519;
import dev.backchannel.crypto.internal.proto.PreKeyStoreProto;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The private side of a peer's prekeys: the signed X25519 prekey, the last-resort ML-KEM-768
 * prekey, and the one-time X25519 and ML-KEM-768 prekeys not used yet.
 *
 * <p>Each {@link #newBundle} makes a fresh pair of one-time prekeys, so every invitation gets
 * keys of its own. A one-time prekey is used at most once: after {@link #markUsed} it is erased,
 * and a second handshake naming it fails with {@link UnknownSessionException}. At most
 * {@link #MAX_ONE_TIME_PREKEYS} of each kind are kept (the oldest are dropped).
 *
 * <p>Secret; not thread-safe (the runtime serializes access). {@link #toString()} shows counts
 * only.
 *
 * @since 0.1
 */
public final class PreKeyStore {
  /** Serialization version. */
  public static final int VERSION = 1;
  /** Most unused one-time prekeys of each kind kept. */
  public static final int MAX_ONE_TIME_PREKEYS = 1000;

  private static final InsecureSecretAccess ACCESS = InsecureSecretAccess.get();

  private long signedPreKeyId;
  private byte[] signedPreKeyPrivate;
  private byte[] signedPreKeySignature;
  private long lastResortKemId;
  private byte[] lastResortKemSeed;
  private byte[] lastResortKemSignature;
  private final Map<Long, byte[]> oneTimePreKeys = new LinkedHashMap<>();
  private final Map<Long, byte[][]> oneTimeKemPreKeys = new LinkedHashMap<>();
  private long nextId;
  // Public halves, derived from the private keys when first needed and kept in memory only (not
  // serialized): the responder needs them for every handshake's transcript.
  private byte[] signedPreKeyPublic;
  private byte[] lastResortKemPublic;
  private final Map<Long, byte[]> oneTimePublic = new java.util.HashMap<>();
  private final Map<Long, byte[]> oneTimeKemPublic = new java.util.HashMap<>();

  private PreKeyStore() {}

  /**
   * The public key of the signed prekey {@code id}.
   *
   * @throws UnknownSessionException if {@code id} is not the current signed prekey
   */
  public byte[] signedPreKeyPublic(long id) throws UnknownSessionException {
    if (id != signedPreKeyId) {
      throw new UnknownSessionException("unknown signed prekey " + id);
    }
    return currentSignedPreKeyPublic();
  }

  private byte[] currentSignedPreKeyPublic() {
    if (signedPreKeyPublic == null) {
      signedPreKeyPublic = X25519.publicKey(signedPreKeyPrivate);
    }
    return signedPreKeyPublic.clone();
  }

  private byte[] currentLastResortKemPublic() {
    if (lastResortKemPublic == null) {
      lastResortKemPublic = MlKem768.publicKey(lastResortKemSeed);
    }
    return lastResortKemPublic.clone();
  }

  /**
   * The public key of the unused one-time prekey {@code id}.
   *
   * @throws UnknownSessionException if it does not exist or was already used
   */
  public byte[] oneTimePreKeyPublic(long id) throws UnknownSessionException {
    byte[] k = oneTimePreKeys.get(id);
    if (k == null) {
      throw new UnknownSessionException("one-time prekey " + id + " is unknown or already used");
    }
    return oneTimePublic.computeIfAbsent(id, i -> X25519.publicKey(k)).clone();
  }

  /**
   * The encapsulation key of the KEM prekey {@code id}.
   *
   * @throws UnknownSessionException if it does not exist or, being one-time, was already used
   */
  public byte[] kemPreKeyPublic(long id, boolean lastResort) throws UnknownSessionException {
    if (lastResort) {
      if (id != lastResortKemId) {
        throw new UnknownSessionException("unknown last-resort KEM prekey " + id);
      }
      return currentLastResortKemPublic();
    }
    byte[][] k = oneTimeKemPreKeys.get(id);
    if (k == null) {
      throw new UnknownSessionException("one-time KEM prekey " + id + " is unknown or already used");
    }
    return oneTimeKemPublic.computeIfAbsent(id, i -> MlKem768.publicKey(k[0])).clone();
  }

  /** Fresh prekeys signed by {@code identity}. */
  public static PreKeyStore generate(IdentityKeyPair identity) {
    PreKeyStore s = new PreKeyStore();
    s.nextId = 1;
    s.signedPreKeyId = s.nextId++;
    s.signedPreKeyPrivate = X25519.generatePrivateKey();
    s.signedPreKeySignature =
        identity.sign(
            PreKeyType.SIGNED_X25519.signedMessage(
                s.signedPreKeyId, X25519.publicKey(s.signedPreKeyPrivate)));
    s.lastResortKemId = s.nextId++;
    s.lastResortKemSeed = MlKem768.generateSeed();
    s.lastResortKemSignature =
        identity.sign(
            PreKeyType.LAST_RESORT_KEM.signedMessage(
                s.lastResortKemId, MlKem768.publicKey(s.lastResortKemSeed)));
    return s;
  }

  /**
   * A bundle with a fresh one-time X25519 prekey and a fresh one-time ML-KEM-768 prekey.
   *
   * @param identity the identity whose prekeys these are (the one that signed them)
   */
  public PreKeyBundle newBundle(IdentityKeyPair identity) {
    long otpId = nextId++;
    byte[] otp = X25519.generatePrivateKey();
    oneTimePreKeys.put(otpId, otp);
    byte[] otpPublic = X25519.publicKey(otp);
    oneTimePublic.put(otpId, otpPublic);
    long kemId = nextId++;
    byte[] kemSeed = MlKem768.generateSeed();
    byte[] kemPublic = MlKem768.publicKey(kemSeed);
    byte[] kemSig = identity.sign(PreKeyType.ONE_TIME_KEM.signedMessage(kemId, kemPublic));
    oneTimeKemPreKeys.put(kemId, new byte[][] {kemSeed, kemSig});
    oneTimeKemPublic.put(kemId, kemPublic);
    trim(oneTimePreKeys);
    trim(oneTimeKemPreKeys);
    oneTimePublic.keySet().retainAll(oneTimePreKeys.keySet());
    oneTimeKemPublic.keySet().retainAll(oneTimeKemPreKeys.keySet());
    return new PreKeyBundle(
        identity.publicKey(),
        signedPreKeyId,
        currentSignedPreKeyPublic(),
        signedPreKeySignature,
        otpId,
        otpPublic.clone(),
        kemId,
        kemPublic.clone(),
        kemSig,
        false);
  }

  /** A bundle with no one-time keys: the signed prekey and the last-resort KEM prekey. */
  public PreKeyBundle lastResortBundle(IdentityKeyPair identity) {
    return new PreKeyBundle(
        identity.publicKey(),
        signedPreKeyId,
        currentSignedPreKeyPublic(),
        signedPreKeySignature,
        0,
        null,
        lastResortKemId,
        currentLastResortKemPublic(),
        lastResortKemSignature,
        true);
  }

  private static <V> void trim(Map<Long, V> map) {
    var it = map.entrySet().iterator();
    while (map.size() > MAX_ONE_TIME_PREKEYS && it.hasNext()) {
      Object v = it.next().getValue();
      if (v instanceof byte[] b) {
        Arrays.fill(b, (byte) 0);
      } else if (v instanceof byte[][] bb) {
        Arrays.fill(bb[0], (byte) 0);
      }
      it.remove();
    }
  }

  /**
   * The private key of the signed prekey {@code id} (a copy the caller closes).
   *
   * @throws UnknownSessionException if {@code id} is not the current signed prekey
   */
  public SecretBytes signedPreKey(long id, InsecureSecretAccess access) throws UnknownSessionException {
    if (id != signedPreKeyId) {
      throw new UnknownSessionException("unknown signed prekey " + id);
    }
    return SecretBytes.copyOf(signedPreKeyPrivate, access);
  }

  /**
   * The private key of the unused one-time prekey {@code id} (a copy the caller closes).
   *
   * @throws UnknownSessionException if it does not exist or was already used
   */
  public SecretBytes oneTimePreKey(long id, InsecureSecretAccess access) throws UnknownSessionException {
    byte[] k = oneTimePreKeys.get(id);
    if (k == null) {
      throw new UnknownSessionException("one-time prekey " + id + " is unknown or already used");
    }
    return SecretBytes.copyOf(k, access);
  }

  /**
   * The seed of the KEM prekey {@code id} (a copy the caller closes).
   *
   * @throws UnknownSessionException if it does not exist or, being one-time, was already used
   */
  public SecretBytes kemPreKey(long id, boolean lastResort, InsecureSecretAccess access)
      throws UnknownSessionException {
    if (lastResort) {
      if (id != lastResortKemId) {
        throw new UnknownSessionException("unknown last-resort KEM prekey " + id);
      }
      return SecretBytes.copyOf(lastResortKemSeed, access);
    }
    byte[][] k = oneTimeKemPreKeys.get(id);
    if (k == null) {
      throw new UnknownSessionException("one-time KEM prekey " + id + " is unknown or already used");
    }
    return SecretBytes.copyOf(k[0], access);
  }

  /**
   * Erases the one-time prekeys a completed handshake used, so they can never be used again.
   *
   * @param oneTimePreKeyId the one-time X25519 prekey used, or -1 if none
   * @param kemPreKeyId the KEM prekey used
   * @param kemLastResort whether that KEM prekey was the last-resort one (which is kept)
   */
  public void markUsed(long oneTimePreKeyId, long kemPreKeyId, boolean kemLastResort) {
    byte[] otp = oneTimePreKeys.remove(oneTimePreKeyId);
    oneTimePublic.remove(oneTimePreKeyId);
    if (!kemLastResort) {
      oneTimeKemPublic.remove(kemPreKeyId);
    }
    if (otp != null) {
      Arrays.fill(otp, (byte) 0);
    }
    if (!kemLastResort) {
      byte[][] kem = oneTimeKemPreKeys.remove(kemPreKeyId);
      if (kem != null) {
        Arrays.fill(kem[0], (byte) 0);
      }
    }
  }

  /** Number of unused one-time X25519 prekeys. */
  public int oneTimePreKeyCount() {
    return oneTimePreKeys.size();
  }

  /** Number of unused one-time ML-KEM-768 prekeys. */
  public int oneTimeKemPreKeyCount() {
    return oneTimeKemPreKeys.size();
  }

  /** The serialized store ({@code PreKeyStoreProto}). The bytes are secret. */
  public byte[] toByteArray() {
    PreKeyStoreProto.Builder b =
        PreKeyStoreProto.newBuilder()
            .setVersion(VERSION)
            .setSignedPrekeyId((int) signedPreKeyId)
            .setSignedPrekeyPrivate(ByteString.copyFrom(signedPreKeyPrivate))
            .setSignedPrekeySignature(ByteString.copyFrom(signedPreKeySignature))
            .setLastResortKemId((int) lastResortKemId)
            .setLastResortKemSeed(ByteString.copyFrom(lastResortKemSeed))
            .setLastResortKemSignature(ByteString.copyFrom(lastResortKemSignature))
            .setNextId((int) nextId);
    oneTimePreKeys.forEach(
        (id, k) ->
            b.addOneTimePrekeys(
                OneTimeX25519.newBuilder().setId(id.intValue()).setPrivateKey(ByteString.copyFrom(k))));
    oneTimeKemPreKeys.forEach(
        (id, k) ->
            b.addOneTimeKemPrekeys(
                OneTimeKem.newBuilder()
                    .setId(id.intValue())
                    .setSeed(ByteString.copyFrom(k[0]))
                    .setSignature(ByteString.copyFrom(k[1]))));
    return b.build().toByteArray();
  }

  /**
   * Restores a store serialized by {@link #toByteArray()}.
   *
   * @throws MalformedInputException on any input that is not a valid version-1 store
   */
  public static PreKeyStore parse(byte[] bytes) throws MalformedInputException {
    if (bytes == null || bytes.length == 0 || bytes.length > 1 << 20) {
      throw new MalformedInputException("prekey store is empty or too long");
    }
    PreKeyStoreProto p;
    try {
      p = PreKeyStoreProto.parseFrom(bytes);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      throw new MalformedInputException("prekey store is not a valid encoding");
    }
    if (p.getVersion() != VERSION) {
      throw new MalformedInputException("prekey store has unsupported version " + p.getVersion());
    }
    PreKeyStore s = new PreKeyStore();
    s.signedPreKeyId = Integer.toUnsignedLong(p.getSignedPrekeyId());
    s.signedPreKeyPrivate = exact(p.getSignedPrekeyPrivate(), 32, "signed prekey");
    s.signedPreKeySignature = exact(p.getSignedPrekeySignature(), 64, "signed prekey signature");
    s.lastResortKemId = Integer.toUnsignedLong(p.getLastResortKemId());
    s.lastResortKemSeed = exact(p.getLastResortKemSeed(), 64, "last-resort KEM seed");
    s.lastResortKemSignature = exact(p.getLastResortKemSignature(), 64, "last-resort KEM signature");
    s.nextId = Integer.toUnsignedLong(p.getNextId());
    if (p.getOneTimePrekeysCount() > MAX_ONE_TIME_PREKEYS
        || p.getOneTimeKemPrekeysCount() > MAX_ONE_TIME_PREKEYS) {
      throw new MalformedInputException("prekey store holds too many one-time prekeys");
    }
    for (OneTimeX25519 k : p.getOneTimePrekeysList()) {
      s.oneTimePreKeys.put(
          Integer.toUnsignedLong(k.getId()), exact(k.getPrivateKey(), 32, "one-time prekey"));
    }
    for (OneTimeKem k : p.getOneTimeKemPrekeysList()) {
      s.oneTimeKemPreKeys.put(
          Integer.toUnsignedLong(k.getId()),
          new byte[][] {
            exact(k.getSeed(), 64, "one-time KEM seed"), exact(k.getSignature(), 64, "KEM signature")
          });
    }
    return s;
  }

  private static byte[] exact(ByteString b, int length, String what) throws MalformedInputException {
    if (b.size() != length) {
      throw new MalformedInputException("prekey store's " + what + " must be " + length + " bytes");
    }
    return b.toByteArray();
  }

  /** Counts only. */
  @Override
  public String toString() {
    return "PreKeyStore[signedPreKeyId=" + signedPreKeyId + ", oneTime=" + oneTimePreKeys.size()
        + ", oneTimeKem=" + oneTimeKemPreKeys.size() + ", private keys redacted]";
  }
}
