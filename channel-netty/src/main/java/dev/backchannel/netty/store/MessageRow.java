package dev.backchannel.netty.store;

import java.nio.ByteBuffer;

/**
 * The value of a message row ({@code 'R' || mailbox_id || message_id}, docs/PROTOCOL.md "Relay
 * storage"): for each message id of a mailbox, whether its envelope is stored (with the sequence,
 * expiry and body length a removal needs, so it does not read the envelope) or was acknowledged
 * (a tombstone until {@code timeMillis}, so a resend is recognized and not stored again). Encoded
 * as {@code u8 state || u64 sequence || u64 time_ms || u32 body_length}, 21 bytes.
 *
 * @param stored true while the envelope is stored; false for a tombstone
 * @param sequence the envelope's sequence in its mailbox
 * @param timeMillis the envelope's expiry while stored; the tombstone's end once acknowledged
 * @param bodyLength the stored body's length; 0 for a tombstone
 */
record MessageRow(boolean stored, long sequence, long timeMillis, int bodyLength) {
  static final byte STORED = 1;
  static final byte ACKNOWLEDGED = 2;
  static final int LENGTH = 21;

  static MessageRow stored(long sequence, long expiresAtMillis, int bodyLength) {
    return new MessageRow(true, sequence, expiresAtMillis, bodyLength);
  }

  static MessageRow acknowledged(long sequence, long untilMillis) {
    return new MessageRow(false, sequence, untilMillis, 0);
  }

  /** Whether this row makes a send of its message id a duplicate at {@code nowMillis}. */
  boolean duplicateAt(long nowMillis) {
    return stored || timeMillis > nowMillis;
  }

  byte[] encode() {
    return ByteBuffer.allocate(LENGTH).put(stored ? STORED : ACKNOWLEDGED).putLong(sequence)
        .putLong(timeMillis).putInt(bodyLength).array();
  }

  /**
   * Decodes a value this class encoded.
   *
   * @throws IllegalStateException if {@code v} is not a message row (a corrupt store)
   */
  static MessageRow decode(byte[] v) {
    if (v.length != LENGTH || (v[0] != STORED && v[0] != ACKNOWLEDGED)) {
      throw new IllegalStateException("not a message row (" + v.length + " bytes)");
    }
    ByteBuffer b = ByteBuffer.wrap(v, 1, LENGTH - 1);
    return new MessageRow(v[0] == STORED, b.getLong(), b.getLong(), b.getInt());
  }
}
