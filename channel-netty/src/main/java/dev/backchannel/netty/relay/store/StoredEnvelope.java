package dev.backchannel.netty.relay.store;

import java.util.HexFormat;

/**
 * One envelope as a mailbox store holds it: the sender-chosen message id, its position in the
 * mailbox, the opaque sealed body and when it expires.
 *
 * <p>Immutable; arrays are copied in and out. {@link #toString()} never shows the body.
 *
 * @since 0.1
 */
public final class StoredEnvelope {
  private final byte[] messageId;
  private final long sequence;
  private final byte[] body;
  private final long expiresAtMillis;

  /** Creates the value; copies the arrays. */
  public StoredEnvelope(byte[] messageId, long sequence, byte[] body, long expiresAtMillis) {
    this.messageId = messageId.clone();
    this.sequence = sequence;
    this.body = body.clone();
    this.expiresAtMillis = expiresAtMillis;
  }

  /** The sender-chosen message id (a copy). */
  public byte[] messageId() {
    return messageId.clone();
  }

  /** Position in the mailbox; later envelopes have larger numbers. */
  public long sequence() {
    return sequence;
  }

  /** The sealed body (a copy). */
  public byte[] body() {
    return body.clone();
  }

  /** Length of the body. */
  public int bodyLength() {
    return body.length;
  }

  /** When the envelope expires, in milliseconds since the epoch. */
  public long expiresAtMillis() {
    return expiresAtMillis;
  }

  @Override
  public String toString() {
    return "StoredEnvelope[id=" + HexFormat.of().formatHex(messageId, 0, Math.min(4, messageId.length))
        + "…, seq=" + sequence + ", " + body.length + " bytes]";
  }
}
