package dev.backchannel.crypto.prekey;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.backchannel.api.error.AuthenticationFailedException;
import dev.backchannel.api.error.MalformedInputException;
import dev.backchannel.crypto.IdentityPublicKey;
import dev.backchannel.crypto.internal.MlKem768;
import dev.backchannel.crypto.internal.X25519;
import dev.backchannel.crypto.internal.proto.PreKeyBundleProto;
import java.util.OptionalLong;

/**
 * What a peer publishes so another can start a session with it: its identity, a signed X25519
 * prekey, optionally a one-time X25519 prekey, and a signed ML-KEM-768 prekey (one-time, or the
 * last-resort one).
 *
 * <p>Every instance is verified: {@link #parse} checks lengths, the type-tagged Ed25519
 * signatures (strictly: malleated signatures fail), the ML-KEM modulus check and that no X25519
 * key has low order, all before any key agreement can use it. Immutable and thread-safe.
 *
 * @since 0.1
 */
public final class PreKeyBundle {
  /** Serialization version. */
  public static final int VERSION = 1;
  /** Largest encoded bundle accepted. */
  public static final int MAX_ENCODED_LENGTH = 4096;

  private final IdentityPublicKey identity;
  private final long signedPreKeyId;
  private final byte[] signedPreKey;
  private final byte[] signedPreKeySignature;
  private final long oneTimePreKeyId;
  private final byte[] oneTimePreKey;
  private final long kemPreKeyId;
  private final byte[] kemPreKey;
  private final byte[] kemPreKeySignature;
  private final boolean kemLastResort;
  /** Set once {@link #verify} has passed: the fields are immutable, so the result cannot change. */
  private volatile boolean verified;

  PreKeyBundle(
      IdentityPublicKey identity,
      long signedPreKeyId,
      byte[] signedPreKey,
      byte[] signedPreKeySignature,
      long oneTimePreKeyId,
      byte[] oneTimePreKey,
      long kemPreKeyId,
      byte[] kemPreKey,
      byte[] kemPreKeySignature,
      boolean kemLastResort) {
    this.identity = identity;
    this.signedPreKeyId = signedPreKeyId;
    this.signedPreKey = signedPreKey.clone();
    this.signedPreKeySignature = signedPreKeySignature.clone();
    this.oneTimePreKeyId = oneTimePreKeyId;
    this.oneTimePreKey = oneTimePreKey == null ? null : oneTimePreKey.clone();
    this.kemPreKeyId = kemPreKeyId;
    this.kemPreKey = kemPreKey.clone();
    this.kemPreKeySignature = kemPreKeySignature.clone();
    this.kemLastResort = kemLastResort;
  }

  /**
   * Parses and fully verifies a bundle.
   *
   * @throws MalformedInputException if it is not a valid version-1 encoding, or a key has the
   *     wrong length or fails the ML-KEM modulus check
   * @throws AuthenticationFailedException if a signature is invalid or an X25519 key has low
   *     order
   */
  public static PreKeyBundle parse(byte[] bytes)
      throws MalformedInputException, AuthenticationFailedException {
    if (bytes == null || bytes.length == 0 || bytes.length > MAX_ENCODED_LENGTH) {
      throw new MalformedInputException("prekey bundle is empty or longer than " + MAX_ENCODED_LENGTH);
    }
    PreKeyBundleProto p;
    try {
      p = PreKeyBundleProto.parseFrom(bytes);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      throw new MalformedInputException("prekey bundle is not a valid encoding");
    }
    if (p.getVersion() != VERSION) {
      throw new MalformedInputException("prekey bundle has unsupported version " + p.getVersion());
    }
    IdentityPublicKey identity = IdentityPublicKey.parse(p.getIdentity().toByteArray());
    PreKeyBundle b =
        new PreKeyBundle(
            identity,
            Integer.toUnsignedLong(p.getSignedPrekeyId()),
            p.getSignedPrekey().toByteArray(),
            p.getSignedPrekeySignature().toByteArray(),
            Integer.toUnsignedLong(p.getOneTimePrekeyId()),
            p.getHasOneTimePrekey() ? p.getOneTimePrekey().toByteArray() : null,
            Integer.toUnsignedLong(p.getKemPrekeyId()),
            p.getKemPrekey().toByteArray(),
            p.getKemPrekeySignature().toByteArray(),
            p.getKemPrekeyLastResort());
    b.verify();
    return b;
  }

  /**
   * Checks every key and signature of this bundle; {@link #parse} already did.
   *
   * @throws MalformedInputException if a key has the wrong length or fails the modulus check
   * @throws AuthenticationFailedException if a signature is invalid or an X25519 key has low
   *     order
   */
  public void verify() throws MalformedInputException, AuthenticationFailedException {
    if (verified) {
      return; // parse() already checked this bundle: the initiator does not pay twice
    }
    checkLength(signedPreKey, PreKeyType.SIGNED_X25519.keyLength(), "signed prekey");
    if (oneTimePreKey != null) {
      checkLength(oneTimePreKey, 32, "one-time prekey");
    }
    PreKeyType kemType = kemLastResort ? PreKeyType.LAST_RESORT_KEM : PreKeyType.ONE_TIME_KEM;
    checkLength(kemPreKey, kemType.keyLength(), "KEM prekey");
    if (!identity.verify(
        PreKeyType.SIGNED_X25519.signedMessage(signedPreKeyId, signedPreKey), signedPreKeySignature)) {
      throw new AuthenticationFailedException("signed prekey signature is invalid");
    }
    if (!identity.verify(kemType.signedMessage(kemPreKeyId, kemPreKey), kemPreKeySignature)) {
      throw new AuthenticationFailedException("KEM prekey signature is invalid");
    }
    MlKem768.checkedPublicKey(kemPreKey);
    checkNotLowOrder(signedPreKey);
    checkNotLowOrder(identity.x25519());
    if (oneTimePreKey != null) {
      checkNotLowOrder(oneTimePreKey);
    }
    verified = true;
  }

  /** Refuses an X25519 public key of small order (every agreement with it would be all zeros). */
  static void checkNotLowOrder(byte[] x25519Public)
      throws AuthenticationFailedException, MalformedInputException {
    if (X25519.isSmallOrder(x25519Public)) {
      throw new AuthenticationFailedException("key agreement rejected");
    }
  }

  private static void checkLength(byte[] key, int length, String what)
      throws MalformedInputException {
    if (key == null || key.length != length) {
      throw new MalformedInputException(what + " must be " + length + " bytes");
    }
  }

  /** The serialized bundle ({@code PreKeyBundleProto}). */
  public byte[] toByteArray() {
    PreKeyBundleProto.Builder b =
        PreKeyBundleProto.newBuilder()
            .setVersion(VERSION)
            .setIdentity(ByteString.copyFrom(identity.encoded()))
            .setSignedPrekeyId((int) signedPreKeyId)
            .setSignedPrekey(ByteString.copyFrom(signedPreKey))
            .setSignedPrekeySignature(ByteString.copyFrom(signedPreKeySignature))
            .setKemPrekeyId((int) kemPreKeyId)
            .setKemPrekey(ByteString.copyFrom(kemPreKey))
            .setKemPrekeySignature(ByteString.copyFrom(kemPreKeySignature))
            .setKemPrekeyLastResort(kemLastResort);
    if (oneTimePreKey != null) {
      b.setHasOneTimePrekey(true)
          .setOneTimePrekeyId((int) oneTimePreKeyId)
          .setOneTimePrekey(ByteString.copyFrom(oneTimePreKey));
    }
    return b.build().toByteArray();
  }

  /** The publisher's identity. */
  public IdentityPublicKey identity() {
    return identity;
  }

  /** The signed X25519 prekey's id. */
  public long signedPreKeyId() {
    return signedPreKeyId;
  }

  /** The signed X25519 prekey (a copy). */
  public byte[] signedPreKey() {
    return signedPreKey.clone();
  }

  /** The one-time X25519 prekey's id, if the bundle has one. */
  public OptionalLong oneTimePreKeyId() {
    return oneTimePreKey == null ? OptionalLong.empty() : OptionalLong.of(oneTimePreKeyId);
  }

  /** The one-time X25519 prekey (a copy), or null. */
  public byte[] oneTimePreKey() {
    return oneTimePreKey == null ? null : oneTimePreKey.clone();
  }

  /** The ML-KEM-768 prekey's id. */
  public long kemPreKeyId() {
    return kemPreKeyId;
  }

  /** The ML-KEM-768 encapsulation key (a copy). */
  public byte[] kemPreKey() {
    return kemPreKey.clone();
  }

  /** Whether the KEM prekey is the last-resort one (rather than one-time). */
  public boolean kemLastResort() {
    return kemLastResort;
  }

  @Override
  public String toString() {
    return "PreKeyBundle[identity=" + identity + ", signedPreKeyId=" + signedPreKeyId
        + ", oneTime=" + (oneTimePreKey != null) + ", kemPreKeyId=" + kemPreKeyId
        + (kemLastResort ? " (last resort)" : "") + "]";
  }
}
