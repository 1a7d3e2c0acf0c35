package dev.backchannel.netty.store;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The key layout of the RocksDB mailbox store (docs/PROTOCOL.md, "Relay storage"): one ASCII
 * prefix byte, then fixed-length parts. Stateless.
 */
final class StoreKeys {
  static final byte MAILBOX = 'M';
  static final byte ENVELOPE = 'E';
  /** A message id's row: stored or acknowledged ({@link MessageRow}). */
  static final byte MESSAGE = 'R';
  /** Format 2's dedupe row ({@code u64 sequence}), read only by the upgrade to format 3. */
  static final byte LEGACY_DEDUPE = 'D';
  static final byte USAGE = 'S';
  static final byte INVITATION = 'I';
  /** Format 2's tombstone row ({@code u64 until_ms || u64 sequence}), read only by the upgrade. */
  static final byte LEGACY_TOMBSTONE = 'T';
  static final byte IDLE = 'A';
  /** The expiry index: {@code 'X' || u64 expires_at_ms || kind || rest of the expiring row's key}. */
  static final byte EXPIRY = 'X';
  /** The store-wide ledger: {@code u64 bytes held}. */
  static final byte[] GLOBAL = {'G'};
  /** The format marker: present once the expiry index covers every row. */
  static final byte[] FORMAT = {'V'};
  static final int ID_LENGTH = 32;

  private StoreKeys() {}

  static byte[] key(byte prefix, byte[]... parts) {
    int n = 1;
    for (byte[] p : parts) {
      n += p.length;
    }
    ByteBuffer b = ByteBuffer.allocate(n).put(prefix);
    for (byte[] p : parts) {
      b.put(p);
    }
    return b.array();
  }

  static byte[] u64(long v) {
    return ByteBuffer.allocate(8).putLong(v).array();
  }

  static long u64(byte[] b, int offset) {
    return ByteBuffer.wrap(b, offset, 8).getLong();
  }

  static boolean startsWith(byte[] a, byte[] prefix) {
    return a.length >= prefix.length && Arrays.equals(a, 0, prefix.length, prefix, 0, prefix.length);
  }

  /** The expiry index entry of {@code rowKey} (a full key of a row that expires). */
  static byte[] expiryKey(long expiresAtMillis, byte[] rowKey) {
    return ByteBuffer.allocate(9 + rowKey.length).put(EXPIRY).putLong(Math.max(0, expiresAtMillis))
        .put(rowKey).array();
  }

  /** The first key after every expiry entry due at or before {@code nowMillis}. */
  static byte[] expiryBound(long nowMillis) {
    return ByteBuffer.allocate(9).put(EXPIRY).putLong(Math.max(0, nowMillis) + 1).array();
  }

  /** The row key an expiry entry points at. */
  static byte[] expiringRow(byte[] expiryKey) {
    return Arrays.copyOfRange(expiryKey, 9, expiryKey.length);
  }
}
