package dev.backchannel.crypto.ratchet;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.backchannel.api.error.MalformedInputException;
import dev.backchannel.crypto.internal.X25519;
import dev.backchannel.crypto.internal.proto.RatchetStateProto;
import dev.backchannel.crypto.internal.proto.SkippedMessageKey;
import dev.backchannel.crypto.ratchet.RatchetState.SkippedKey;
import java.security.MessageDigest;
import java.time.Clock;

/** Protobuf encoding of {@link RatchetState} with full validation on decode. */
final class RatchetStateCodec {
  /** Largest serialized state accepted: the skipped-key cap plus generous slack. */
  static final int MAX_STATE_BYTES = 512 * 1024;

  private RatchetStateCodec() {}

  static byte[] encode(RatchetState s) {
    RatchetStateProto.Builder b =
        RatchetStateProto.newBuilder()
            .setVersion(RatchetState.VERSION)
            .setDhSelfPrivate(bs(s.dhSelfPrivate))
            .setDhSelfPublic(bs(s.dhSelfPublic))
            .setDhRemote(bs(s.dhRemote))
            .setRootKey(bs(s.rootKey))
            .setChainKeySend(bs(s.chainKeySend))
            .setChainKeyReceive(bs(s.chainKeyReceive))
            .setSendCount((int) s.sendCount)
            .setReceiveCount((int) s.receiveCount)
            .setPreviousSendCount((int) s.previousSendCount)
            .setHeaderKeySend(bs(s.headerKeySend))
            .setHeaderKeyReceive(bs(s.headerKeyReceive))
            .setNextHeaderKeySend(bs(s.nextHeaderKeySend))
            .setNextHeaderKeyReceive(bs(s.nextHeaderKeyReceive))
            .setAssociatedData(bs(s.associatedData));
    for (SkippedKey k : s.skipped) {
      b.addSkipped(
          SkippedMessageKey.newBuilder()
              .setHeaderKey(bs(k.headerKey()))
              .setNumber((int) k.number())
              .setMessageKey(bs(k.messageKey()))
              .setStoredAt(k.storedAt()));
    }
    for (byte[] hk : s.retiredHeaderKeys) {
      b.addRetiredHeaderKeys(bs(hk));
    }
    return b.build().toByteArray();
  }

  static RatchetState decode(byte[] bytes, Clock clock) throws MalformedInputException {
    if (bytes == null || bytes.length == 0) {
      throw new MalformedInputException("ratchet state is empty");
    }
    if (bytes.length > MAX_STATE_BYTES) {
      throw new MalformedInputException(
          "ratchet state is " + bytes.length + " bytes, more than " + MAX_STATE_BYTES);
    }
    RatchetStateProto p;
    try {
      p = RatchetStateProto.parseFrom(bytes);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      throw new MalformedInputException("ratchet state is not a valid encoding");
    }
    if (p.getVersion() != RatchetState.VERSION) {
      throw new MalformedInputException("ratchet state has unsupported version " + p.getVersion());
    }
    RatchetState s = new RatchetState(clock);
    s.dhSelfPrivate = key(p.getDhSelfPrivate(), "dh_self_private", true);
    s.dhSelfPublic = key(p.getDhSelfPublic(), "dh_self_public", true);
    if (!MessageDigest.isEqual(X25519.publicKey(s.dhSelfPrivate), s.dhSelfPublic)) {
      throw new MalformedInputException("ratchet state's key pair is inconsistent");
    }
    s.dhRemote = key(p.getDhRemote(), "dh_remote", false);
    s.rootKey = key(p.getRootKey(), "root_key", true);
    s.chainKeySend = key(p.getChainKeySend(), "chain_key_send", false);
    s.chainKeyReceive = key(p.getChainKeyReceive(), "chain_key_receive", false);
    s.sendCount = Integer.toUnsignedLong(p.getSendCount());
    s.receiveCount = Integer.toUnsignedLong(p.getReceiveCount());
    s.previousSendCount = Integer.toUnsignedLong(p.getPreviousSendCount());
    s.headerKeySend = key(p.getHeaderKeySend(), "header_key_send", false);
    s.headerKeyReceive = key(p.getHeaderKeyReceive(), "header_key_receive", false);
    s.nextHeaderKeySend = key(p.getNextHeaderKeySend(), "next_header_key_send", true);
    s.nextHeaderKeyReceive = key(p.getNextHeaderKeyReceive(), "next_header_key_receive", true);
    if ((s.chainKeySend == null) != (s.headerKeySend == null)) {
      throw new MalformedInputException("ratchet state's sending chain is inconsistent");
    }
    if (p.getAssociatedData().size() > RatchetState.MAX_ASSOCIATED_DATA) {
      throw new MalformedInputException("ratchet state's associated data is too long");
    }
    s.associatedData = p.getAssociatedData().toByteArray();
    if (p.getSkippedCount() > RatchetState.MAX_SKIPPED_KEYS) {
      throw new MalformedInputException("ratchet state holds too many skipped keys");
    }
    for (SkippedMessageKey k : p.getSkippedList()) {
      s.skipped.add(
          new SkippedKey(
              key(k.getHeaderKey(), "skipped.header_key", true),
              Integer.toUnsignedLong(k.getNumber()),
              key(k.getMessageKey(), "skipped.message_key", true),
              k.getStoredAt()));
    }
    if (p.getRetiredHeaderKeysCount() > RatchetState.MAX_RETIRED_HEADER_KEYS) {
      throw new MalformedInputException("ratchet state holds too many retired header keys");
    }
    for (ByteString hk : p.getRetiredHeaderKeysList()) {
      s.retiredHeaderKeys.add(key(hk, "retired_header_keys", true));
    }
    return s;
  }

  private static byte[] key(ByteString b, String field, boolean required)
      throws MalformedInputException {
    if (b.isEmpty()) {
      if (required) {
        throw new MalformedInputException("ratchet state lacks " + field);
      }
      return null;
    }
    if (b.size() != 32) {
      throw new MalformedInputException("ratchet state's " + field + " is not 32 bytes");
    }
    return b.toByteArray();
  }

  private static ByteString bs(byte[] b) {
    return b == null ? ByteString.EMPTY : ByteString.copyFrom(b);
  }
}
