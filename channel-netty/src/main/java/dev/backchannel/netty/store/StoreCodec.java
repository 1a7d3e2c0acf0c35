package dev.backchannel.netty.store;

import dev.backchannel.netty.relay.store.MailboxRecord;
import dev.backchannel.netty.relay.store.StoredEnvelope;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;

/** Value encodings of the RocksDB mailbox store (docs/PROTOCOL.md, "Relay storage"). Stateless. */
final class StoreCodec {
  private StoreCodec() {}

  static byte[] mailbox(MailboxRecord m) {
    Optional<byte[]> locked = m.lockedSenderKey();
    ByteBuffer b = ByteBuffer.allocate(32 + 1 + (locked.isPresent() ? 32 : 0));
    b.put(m.ownerKey()).put((byte) (locked.isPresent() ? 1 : 0));
    locked.ifPresent(b::put);
    return b.array();
  }

  static MailboxRecord mailbox(byte[] id, byte[] v) {
    byte[] owner = Arrays.copyOf(v, 32);
    byte[] locked = v[32] == 1 ? Arrays.copyOfRange(v, 33, 65) : null;
    return new MailboxRecord(id, owner, locked);
  }

  static byte[] envelope(byte[] messageId, long expiresAtMillis, byte[] body) {
    return ByteBuffer.allocate(1 + messageId.length + 8 + body.length)
        .put((byte) messageId.length).put(messageId).putLong(expiresAtMillis).put(body).array();
  }

  static byte[] envelopeMessageId(byte[] v) {
    return Arrays.copyOfRange(v, 1, 1 + (v[0] & 0xff));
  }

  static long envelopeExpiry(byte[] v) {
    return ByteBuffer.wrap(v, 1 + (v[0] & 0xff), 8).getLong();
  }

  static int envelopeBodyLength(byte[] v) {
    return envelopeBodyLength(v, v.length);
  }

  /** The most bytes before an envelope's body: length byte, message id of up to 255, expiry. */
  static final int ENVELOPE_HEAD_MAX = 1 + 255 + 8;

  /** The body length of an envelope value of {@code valueLength} bytes starting with {@code head}. */
  static int envelopeBodyLength(byte[] head, int valueLength) {
    return valueLength - 1 - (head[0] & 0xff) - 8;
  }

  static StoredEnvelope envelope(long seq, byte[] v) {
    int midLength = v[0] & 0xff;
    byte[] body = Arrays.copyOfRange(v, 1 + midLength + 8, v.length);
    return new StoredEnvelope(envelopeMessageId(v), seq, body, envelopeExpiry(v));
  }

  static byte[] invitation(byte[] bundle, long expiresAtMillis) {
    return ByteBuffer.allocate(8 + bundle.length).putLong(expiresAtMillis).put(bundle).array();
  }
}
