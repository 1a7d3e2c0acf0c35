package dev.backchannel.netty.client;

import java.util.HexFormat;

/**
 * An envelope the relay pushed to a subscribed mailbox. Delivery is at least once: the same
 * message id may arrive again (after a reconnect, or if the acknowledgement was lost), and the
 * receiver drops duplicates by {@link #messageId()}.
 *
 * <p>Immutable; arrays are copied. {@link #toString()} never shows the body.
 *
 * @since 0.1
 */
public final class Delivery {
  private final byte[] mailboxId;
  private final byte[] messageId;
  private final byte[] body;
  private final long sequence;

  Delivery(byte[] mailboxId, byte[] messageId, byte[] body, long sequence) {
    this.mailboxId = mailboxId.clone();
    this.messageId = messageId.clone();
    this.body = body.clone();
    this.sequence = sequence;
  }

  /** The mailbox it was stored in (a copy). */
  public byte[] mailboxId() {
    return mailboxId.clone();
  }

  /** The sender-chosen message id (a copy). */
  public byte[] messageId() {
    return messageId.clone();
  }

  /** The sealed body (a copy). */
  public byte[] body() {
    return body.clone();
  }

  /** The relay's sequence number in the mailbox. */
  public long sequence() {
    return sequence;
  }

  @Override
  public String toString() {
    return "Delivery[mailbox=" + HexFormat.of().formatHex(mailboxId, 0, 4) + "…, seq=" + sequence
        + ", " + body.length + " bytes]";
  }
}
