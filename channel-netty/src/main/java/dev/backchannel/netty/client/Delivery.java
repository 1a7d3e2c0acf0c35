package dev.backchannel.netty.client;

import com.google.protobuf.ByteString;
import java.util.HexFormat;

/**
 * An envelope the relay pushed to a subscribed mailbox. Delivery is at least once: the same
 * message id may arrive again (after a reconnect, or if the acknowledgement was lost), and the
 * receiver drops duplicates by {@link #messageId()}.
 *
 * <p>Immutable; what it returns is a copy. {@link #toString()} never shows the body.
 *
 * @since 0.1
 */
public final class Delivery {
  // ByteStrings are immutable: nothing is copied in, each accessor copies out.
  private final ByteString mailboxId;
  private final ByteString messageId;
  private final ByteString body;
  private final long sequence;

  Delivery(ByteString mailboxId, ByteString messageId, ByteString body, long sequence) {
    this.mailboxId = mailboxId;
    this.messageId = messageId;
    this.body = body;
    this.sequence = sequence;
  }

  /** The mailbox it was stored in (a copy). */
  public byte[] mailboxId() {
    return mailboxId.toByteArray();
  }

  /** The sender-chosen message id (a copy). */
  public byte[] messageId() {
    return messageId.toByteArray();
  }

  /** The sealed body (a copy). */
  public byte[] body() {
    return body.toByteArray();
  }

  /** The relay's sequence number in the mailbox. */
  public long sequence() {
    return sequence;
  }

  @Override
  public String toString() {
    byte[] head = mailboxId.substring(0, Math.min(4, mailboxId.size())).toByteArray();
    return "Delivery[mailbox=" + HexFormat.of().formatHex(head) + "…, seq=" + sequence + ", " + body.size() + " bytes]";
  }
}
