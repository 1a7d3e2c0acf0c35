package dev.backchannel.netty.internal.auth;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The bytes a mailbox key signs for a relay command (docs/PROTOCOL.md, "Command signatures"):
 * {@code "Backchannel-v1 relay-auth" || u8 command || challenge[32] || mailbox_id[32] || extra}.
 * The challenge is fresh per connection, so a signature is good for one connection, one command
 * and one mailbox only.
 */
public final class CommandAuth {
  /** Command codes. */
  public static final int CREATE = 1;
  /** Subscribe. */
  public static final int SUBSCRIBE = 2;
  // 3 was "acknowledge"; acknowledgements are authorised by the subscription, unsigned.
  /** Lock (extra: sender key). */
  public static final int LOCK = 4;
  /** Delete mailbox. */
  public static final int DELETE = 5;
  /** Send to a locked mailbox (extra: message id || SHA-256(body)). */
  public static final int SEND = 6;
  /** Authorize a sender on this connection (extra: sender key). */
  public static final int AUTHORIZE_SENDER = 7;

  private static final byte[] LABEL = "Backchannel-v1 relay-auth".getBytes(StandardCharsets.US_ASCII);

  private CommandAuth() {}

  /** The signed message. */
  public static byte[] message(int command, byte[] challenge, byte[] mailboxId, byte[] extra) {
    byte[] e = extra == null ? new byte[0] : extra;
    return ByteBuffer.allocate(LABEL.length + 1 + challenge.length + mailboxId.length + e.length)
        .put(LABEL).put((byte) command).put(challenge).put(mailboxId).put(e).array();
  }

  /** {@code message_id || SHA-256(body)}: the extra of a send. */
  public static byte[] sendExtra(byte[] messageId, byte[] body) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(body);
      return ByteBuffer.allocate(messageId.length + 32).put(messageId).put(h).array();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every JDK", e);
    }
  }
}
