package dev.backchannel.crypto;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.backchannel.api.error.AuthenticationFailedException;
import dev.backchannel.api.error.MalformedInputException;
import dev.backchannel.crypto.internal.X25519;
import dev.backchannel.crypto.internal.proto.IdentityKeyPairProto;

/**
 * A peer's private identity: an Ed25519 signing key and an X25519 key whose public half it signs.
 *
 * <p>Secret: never printed ({@link #toString()} shows the public fingerprint prefix only), zeroed
 * by {@link #close()}. Thread-safe for concurrent use until closed.
 *
 * @since 0.1
 */
public final class IdentityKeyPair implements AutoCloseable {
  /** Serialization version. */
  public static final int VERSION = 1;

  private static final InsecureSecretAccess ACCESS = InsecureSecretAccess.get();

  private final SecretBytes ed25519Private;
  private final SecretBytes x25519Private;
  private final IdentityPublicKey publicKey;

  private IdentityKeyPair(SecretBytes ed25519Private, SecretBytes x25519Private) {
    this.ed25519Private = ed25519Private;
    this.x25519Private = x25519Private;
    byte[] ed = Ed25519.publicKey(ed25519Private);
    byte[] x = X25519.publicKey(x25519Private.unsafeBytes(ACCESS));
    byte[] sig =
        Ed25519.sign(ed25519Private, IdentityPublicKey.concat(IdentityPublicKey.X25519_SIGNATURE_LABEL, x));
    this.publicKey = new IdentityPublicKey(ed, x, sig);
  }

  /** A fresh identity. */
  public static IdentityKeyPair generate() {
    return new IdentityKeyPair(
        Ed25519.generatePrivateKey(), SecretBytes.wrap(X25519.generatePrivateKey(), ACCESS));
  }

  /** The public identity. */
  public IdentityPublicKey publicKey() {
    return publicKey;
  }

  /** Signs {@code message} with the Ed25519 identity key. */
  public byte[] sign(byte[] message) {
    return Ed25519.sign(ed25519Private, message);
  }

  /**
   * X25519 agreement of the identity's X25519 key with {@code peerPublic}.
   *
   * @throws AuthenticationFailedException if the result is all zeros (a low-order point)
   * @throws MalformedInputException if {@code peerPublic} is not 32 bytes
   */
  public byte[] agree(byte[] peerPublic) throws AuthenticationFailedException, MalformedInputException {
    return X25519.agree(x25519Private.unsafeBytes(ACCESS), peerPublic);
  }

  /** The serialized private identity ({@code IdentityKeyPairProto}). The bytes are secret. */
  public byte[] toByteArray() {
    return IdentityKeyPairProto.newBuilder()
        .setVersion(VERSION)
        .setEd25519Private(ByteString.copyFrom(ed25519Private.unsafeBytes(ACCESS)))
        .setX25519Private(ByteString.copyFrom(x25519Private.unsafeBytes(ACCESS)))
        .build()
        .toByteArray();
  }

  /**
   * Restores an identity serialized by {@link #toByteArray()}.
   *
   * @throws MalformedInputException on any input that is not a valid version-1 identity
   */
  public static IdentityKeyPair parse(byte[] bytes) throws MalformedInputException {
    if (bytes == null || bytes.length == 0 || bytes.length > 1024) {
      throw new MalformedInputException("identity key pair is empty or too long");
    }
    IdentityKeyPairProto p;
    try {
      p = IdentityKeyPairProto.parseFrom(bytes);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      throw new MalformedInputException("identity key pair is not a valid encoding");
    }
    if (p.getVersion() != VERSION) {
      throw new MalformedInputException("identity key pair has unsupported version " + p.getVersion());
    }
    if (p.getEd25519Private().size() != 32 || p.getX25519Private().size() != 32) {
      throw new MalformedInputException("identity key pair keys must be 32 bytes");
    }
    return new IdentityKeyPair(
        SecretBytes.wrap(p.getEd25519Private().toByteArray(), ACCESS),
        SecretBytes.wrap(p.getX25519Private().toByteArray(), ACCESS));
  }

  /** Zeroes the private keys. Idempotent. */
  @Override
  public void close() {
    ed25519Private.close();
    x25519Private.close();
  }

  @Override
  public String toString() {
    return "IdentityKeyPair[public=" + publicKey + ", private=redacted]";
  }
}
