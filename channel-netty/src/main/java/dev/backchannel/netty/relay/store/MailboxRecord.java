package dev.backchannel.netty.relay.store;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;

/**
 * What a relay knows about one mailbox: its id, the owner's per-mailbox Ed25519 key, and the one
 * sender key it is locked to, if any. No identity, no contact: only opaque keys.
 *
 * <p>Immutable; arrays are copied in and out.
 *
 * @since 0.1
 */
public final class MailboxRecord {
  private final byte[] mailboxId;
  private final byte[] ownerKey;
  private final byte[] lockedSenderKey;

  /**
   * Creates a record.
   *
   * @throws IllegalArgumentException if the id or a key is not 32 bytes
   */
  public MailboxRecord(byte[] mailboxId, byte[] ownerKey, byte[] lockedSenderKey) {
    this.mailboxId = check(mailboxId, "mailbox id");
    this.ownerKey = check(ownerKey, "owner key");
    this.lockedSenderKey = lockedSenderKey == null ? null : check(lockedSenderKey, "sender key");
  }

  private static byte[] check(byte[] b, String what) {
    if (b == null || b.length != 32) {
      throw new IllegalArgumentException(what + " must be 32 bytes");
    }
    return b.clone();
  }

  /** The mailbox id (a copy). */
  public byte[] mailboxId() {
    return mailboxId.clone();
  }

  /** The owner's Ed25519 public key (a copy). */
  public byte[] ownerKey() {
    return ownerKey.clone();
  }

  /** The sender key the mailbox is locked to, if it is locked (a copy). */
  public Optional<byte[]> lockedSenderKey() {
    return Optional.ofNullable(lockedSenderKey).map(byte[]::clone);
  }

  /** This record locked to {@code senderKey}. */
  public MailboxRecord lockedTo(byte[] senderKey) {
    return new MailboxRecord(mailboxId, ownerKey, senderKey);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MailboxRecord r
        && Arrays.equals(mailboxId, r.mailboxId)
        && Arrays.equals(ownerKey, r.ownerKey)
        && Arrays.equals(lockedSenderKey, r.lockedSenderKey);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(mailboxId);
  }

  @Override
  public String toString() {
    return "MailboxRecord[" + HexFormat.of().formatHex(mailboxId, 0, 4) + "…"
        + (lockedSenderKey != null ? ", locked" : "") + "]";
  }
}
