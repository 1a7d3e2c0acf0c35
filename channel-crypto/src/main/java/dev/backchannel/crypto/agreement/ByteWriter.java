package dev.backchannel.crypto.agreement;

import java.io.ByteArrayOutputStream;

/** Writes big-endian fields; the counterpart of {@link ByteReader}. */
final class ByteWriter {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  ByteWriter u8(int v) {
    out.write(v);
    return this;
  }

  ByteWriter u16(int v) {
    return u8(v >>> 8).u8(v);
  }

  ByteWriter u32(long v) {
    return u16((int) (v >>> 16) & 0xffff).u16((int) v & 0xffff);
  }

  ByteWriter u64(long v) {
    return u32(v >>> 32).u32(v & 0xffffffffL);
  }

  ByteWriter bytes(byte[] b) {
    out.writeBytes(b);
    return this;
  }

  byte[] toByteArray() {
    return out.toByteArray();
  }
}
