package dev.backchannel.redis.internal;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Key and channel names of the Redis mailbox store (docs/PROTOCOL.md, "Relay storage on Redis
 * Cluster"). Every key of one mailbox carries the hash tag {@code {<hex mailbox id>}}, so all of
 * them live in one slot and one Lua script may touch them together. Immutable, thread-safe.
 */
public final class RedisKeys {
  /** What a namespace may be: short, and no character that could open or close a hash tag. */
  public static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_.-]{1,32}");
  private static final HexFormat HEX = HexFormat.of();

  /** Index of each mailbox key in {@link #mailbox}. */
  public static final int META = 0;
  public static final int QUEUE = 1;
  public static final int IDS = 2;
  public static final int TOMBSTONES = 3;
  public static final int EXPIRY = 4;

  private final String prefix;

  /**
   * Names keys under {@code prefix}.
   *
   * @throws IllegalArgumentException if the prefix does not match {@link #PREFIX}
   */
  public RedisKeys(String prefix) {
    if (prefix == null || !PREFIX.matcher(prefix).matches()) {
      throw new IllegalArgumentException("key prefix must match " + PREFIX.pattern());
    }
    this.prefix = prefix;
  }

  /** The namespace. */
  public String prefix() {
    return prefix;
  }

  private byte[] name(String tag, String suffix) {
    return (prefix + ":{" + tag + "}:" + suffix).getBytes(StandardCharsets.US_ASCII);
  }

  /** The keys of one mailbox, in the order every mailbox script takes them: mb, q, ids, tomb, exp. */
  public byte[][] mailbox(byte[] mailboxId) {
    String tag = HEX.formatHex(mailboxId);
    return new byte[][] {
      name(tag, "mb"), name(tag, "q"), name(tag, "ids"), name(tag, "tomb"), name(tag, "exp")
    };
  }

  /** The sharded channel of a mailbox's append notices. */
  public byte[] channel(byte[] mailboxId) {
    return name(HEX.formatHex(mailboxId), "evt");
  }

  /** The mailbox id of a notice channel {@code ...:{<64 hex>}:evt}, or null if it is not one. */
  public static byte[] mailboxOfChannel(byte[] channel) {
    String c = new String(channel, StandardCharsets.US_ASCII);
    int open = c.indexOf('{');
    int close = c.indexOf('}', open + 1);
    if (open < 0 || close - open - 1 != 64 || !c.endsWith("}:evt")) {
      return null;
    }
    try {
      return HEX.parseHex(c, open + 1, close);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The key of an invitation bundle. */
  public byte[] invitation(byte[] invitationId) {
    return name(HEX.formatHex(invitationId), "inv");
  }

  /** The store-wide counter of bytes held (bodies and bundles). */
  public byte[] storedBytes() {
    return name(prefix, "bytes");
  }

  /** The registry of expiry buckets that may hold entries (a sorted set scored by bucket number). */
  public byte[] bucketRegistry() {
    return name(prefix, "buckets");
  }

  /** The set of mailboxes and invitations with something due in {@code bucket}. */
  public byte[] bucket(long bucket) {
    return name(prefix + ":b" + bucket, "due");
  }

  @Override
  public String toString() {
    return "RedisKeys[" + prefix + "]";
  }
}
