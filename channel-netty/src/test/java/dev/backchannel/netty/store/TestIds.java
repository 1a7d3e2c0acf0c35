package dev.backchannel.netty.store;

/** Mailbox and message ids for the store tests, distinct for distinct numbers. */
final class TestIds {
  private TestIds() {}

  /** A 32-byte mailbox id whose first byte is {@code v}. */
  static byte[] id(int v) {
    byte[] b = new byte[32];
    b[0] = (byte) v;
    return b;
  }

  /** A 16-byte message id ending in {@code v} (two bytes, big-endian). */
  static byte[] mid(int v) {
    byte[] b = new byte[16];
    b[15] = (byte) v;
    b[14] = (byte) (v >> 8);
    return b;
  }
}
