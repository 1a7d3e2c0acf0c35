package dev.backchannel.crypto.handshake;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.backchannel.api.error.AuthenticationFailedException;
import dev.backchannel.api.error.MalformedInputException;
import dev.backchannel.crypto.IdentityPublicKey;
import dev.backchannel.crypto.internal.MlKem768;
import dev.backchannel.crypto.internal.proto.InitialMessageProto;

/**
 * The initiator's first message: everything the responder needs to derive the session (the
 * initiator's identity, its ephemeral key, the prekeys used, the ML-KEM ciphertext) and the first
 * Double Ratchet message.
 *
 * <p>Parsing verifies the initiator's identity signature and every length; it does no key
 * agreement. Immutable and thread-safe. Encoding: {@code InitialMessageProto}.
 *
 * @since 0.1
 */
public final class InitialMessage {
  /** Serialization version. */
  public static final int VERSION = 1;
  /** Largest encoded initial message accepted. */
  public static final int MAX_ENCODED_LENGTH = 70_000;

  final IdentityPublicKey initiator;
  final byte[] responderFingerprint;
  final byte[] ephemeralKey;
  final long signedPreKeyId;
  final long oneTimePreKeyId; // -1 when none
  final long kemPreKeyId;
  final boolean kemLastResort;
  final byte[] kemCiphertext;
  final byte[] firstMessage;

  InitialMessage(
      IdentityPublicKey initiator,
      byte[] responderFingerprint,
      byte[] ephemeralKey,
      long signedPreKeyId,
      long oneTimePreKeyId,
      long kemPreKeyId,
      boolean kemLastResort,
      byte[] kemCiphertext,
      byte[] firstMessage) {
    this.initiator = initiator;
    this.responderFingerprint = responderFingerprint.clone();
    this.ephemeralKey = ephemeralKey.clone();
    this.signedPreKeyId = signedPreKeyId;
    this.oneTimePreKeyId = oneTimePreKeyId;
    this.kemPreKeyId = kemPreKeyId;
    this.kemLastResort = kemLastResort;
    this.kemCiphertext = kemCiphertext.clone();
    this.firstMessage = firstMessage.clone();
  }

  /**
   * Parses an initial message.
   *
   * @throws MalformedInputException if it is not a valid version-1 encoding
   * @throws AuthenticationFailedException if the initiator's identity signature is invalid
   */
  public static InitialMessage parse(byte[] bytes)
      throws MalformedInputException, AuthenticationFailedException {
    if (bytes == null || bytes.length == 0 || bytes.length > MAX_ENCODED_LENGTH) {
      throw new MalformedInputException("initial message is empty or longer than " + MAX_ENCODED_LENGTH);
    }
    InitialMessageProto p;
    try {
      p = InitialMessageProto.parseFrom(bytes);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      throw new MalformedInputException("initial message is not a valid encoding");
    }
    if (p.getVersion() != VERSION) {
      throw new MalformedInputException("initial message has unsupported version " + p.getVersion());
    }
    if (p.getResponderFingerprint().size() != 32) {
      throw new MalformedInputException("initial message's responder fingerprint must be 32 bytes");
    }
    if (p.getEphemeralKey().size() != 32) {
      throw new MalformedInputException("initial message's ephemeral key must be 32 bytes");
    }
    if (p.getKemCiphertext().size() != MlKem768.CIPHERTEXT_LENGTH) {
      throw new MalformedInputException(
          "initial message's KEM ciphertext must be " + MlKem768.CIPHERTEXT_LENGTH + " bytes");
    }
    if (p.getFirstMessage().isEmpty()) {
      throw new MalformedInputException("initial message has no first message");
    }
    return new InitialMessage(
        IdentityPublicKey.parse(p.getInitiatorIdentity().toByteArray()),
        p.getResponderFingerprint().toByteArray(),
        p.getEphemeralKey().toByteArray(),
        Integer.toUnsignedLong(p.getSignedPrekeyId()),
        p.getHasOneTimePrekey() ? Integer.toUnsignedLong(p.getOneTimePrekeyId()) : -1,
        Integer.toUnsignedLong(p.getKemPrekeyId()),
        p.getKemPrekeyLastResort(),
        p.getKemCiphertext().toByteArray(),
        p.getFirstMessage().toByteArray());
  }

  /** The encoding ({@code InitialMessageProto}). */
  public byte[] toByteArray() {
    InitialMessageProto.Builder b =
        InitialMessageProto.newBuilder()
            .setVersion(VERSION)
            .setInitiatorIdentity(ByteString.copyFrom(initiator.encoded()))
            .setResponderFingerprint(ByteString.copyFrom(responderFingerprint))
            .setEphemeralKey(ByteString.copyFrom(ephemeralKey))
            .setSignedPrekeyId((int) signedPreKeyId)
            .setKemPrekeyId((int) kemPreKeyId)
            .setKemPrekeyLastResort(kemLastResort)
            .setKemCiphertext(ByteString.copyFrom(kemCiphertext))
            .setFirstMessage(ByteString.copyFrom(firstMessage));
    if (oneTimePreKeyId >= 0) {
      b.setHasOneTimePrekey(true).setOneTimePrekeyId((int) oneTimePreKeyId);
    }
    return b.build().toByteArray();
  }

  /** The initiator's (verified) identity, as it claims; the handshake proves it. */
  public IdentityPublicKey initiator() {
    return initiator;
  }

  /** The fingerprint of the identity this message is addressed to (a copy). */
  public byte[] responderFingerprint() {
    return responderFingerprint.clone();
  }

  /** The first Double Ratchet message (a copy). */
  public byte[] firstMessage() {
    return firstMessage.clone();
  }

  @Override
  public String toString() {
    return "InitialMessage[initiator=" + initiator + ", signedPreKeyId=" + signedPreKeyId
        + ", oneTimePreKeyId=" + oneTimePreKeyId + ", kemPreKeyId=" + kemPreKeyId + "]";
  }
}
