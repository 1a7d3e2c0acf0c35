package dev.backchannel.crypto.agreement;

import dev.backchannel.api.error.MalformedInputException;
import java.util.Arrays;

/** Reads big-endian fields from a byte array; running past the end is a typed error. */
final class ByteReader {
  private final byte[] in;
  private final String what;
  private int pos;

  ByteReader(byte[] in, String what) {
    this.in = in;
    this.what = what;
  }

  int u8() throws MalformedInputException {
    need(1);
    return in[pos++] & 0xff;
  }

  int u16() throws MalformedInputException {
    return (u8() << 8) | u8();
  }

  long u32() throws MalformedInputException {
    return ((long) u16() << 16) | u16();
  }

  long u64() throws MalformedInputException {
    return (u32() << 32) | u32();
  }

  byte[] bytes(int n) throws MalformedInputException {
    need(n);
    byte[] out = Arrays.copyOfRange(in, pos, pos + n);
    pos += n;
    return out;
  }

  /** Requires that every byte was read. */
  void end() throws MalformedInputException {
    if (pos != in.length) {
      throw new MalformedInputException(what + " has " + (in.length - pos) + " trailing bytes");
    }
  }

  private void need(int n) throws MalformedInputException {
    if (n < 0 || in.length - pos < n) {
      throw new MalformedInputException(what + " is truncated");
    }
  }
}
