package dev.backchannel.redis.internal;

import dev.backchannel.api.error.StateStoreException;
import dev.backchannel.netty.relay.store.StoredEnvelope;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Value encodings of the Redis mailbox store: an envelope is held in the mailbox's queue as the
 * member {@code decimal(sequence) || ':' || u8 len(message_id) || message_id || u64
 * expires_at_ms || body} (the sequence in front keeps members unique). Numbers are big-endian.
 * Stateless.
 */
public final class EnvelopeCodec {
  /** Longest message id the one-byte length can carry. */
  public static final int MAX_MESSAGE_ID = 255;

  private EnvelopeCodec() {}

  /**
   * The envelope value the append script stores after {@code "<seq>:"}.
   *
   * @throws IllegalArgumentException if the message id is empty or longer than 255 bytes
   */
  public static byte[] envelope(byte[] messageId, long expiresAtMillis, byte[] body) {
    if (messageId.length == 0 || messageId.length > MAX_MESSAGE_ID) {
      throw new IllegalArgumentException("message id must be 1 to 255 bytes");
    }
    return ByteBuffer.allocate(1 + messageId.length + 8 + body.length)
        .put((byte) messageId.length).put(messageId).putLong(expiresAtMillis).put(body).array();
  }

  /**
   * Decodes a queue member.
   *
   * @throws StateStoreException if the member is not in this encoding (a corrupt or foreign key)
   */
  public static StoredEnvelope member(byte[] m) throws StateStoreException {
    int colon = -1;
    for (int i = 0; i < m.length && i < 21; i++) {
      if (m[i] == ':') {
        colon = i;
        break;
      }
    }
    if (colon < 1 || m.length < colon + 2) {
      throw new StateStoreException("malformed envelope in the redis store");
    }
    int midLength = m[colon + 1] & 0xff;
    int bodyAt = colon + 2 + midLength + 8;
    if (midLength == 0 || m.length < bodyAt) {
      throw new StateStoreException("malformed envelope in the redis store");
    }
    long seq;
    try {
      seq = Long.parseLong(new String(m, 0, colon, StandardCharsets.US_ASCII));
    } catch (NumberFormatException e) {
      throw new StateStoreException("malformed envelope sequence in the redis store");
    }
    byte[] mid = Arrays.copyOfRange(m, colon + 2, colon + 2 + midLength);
    long expires = ByteBuffer.wrap(m, colon + 2 + midLength, 8).getLong();
    return new StoredEnvelope(mid, seq, Arrays.copyOfRange(m, bodyAt, m.length), expires);
  }

  /** A decimal number as the bytes a script argument takes. */
  public static byte[] decimal(long v) {
    return Long.toString(v).getBytes(StandardCharsets.US_ASCII);
  }
}
