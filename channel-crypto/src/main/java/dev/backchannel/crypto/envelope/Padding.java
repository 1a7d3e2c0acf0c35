package dev.backchannel.crypto.envelope;

import dev.backchannel.api.error.AuthenticationFailedException;
import dev.backchannel.api.error.QuotaExceededException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Pads payloads so that a sealed body has one of a few fixed sizes ({@link #BUCKETS}), whatever
 * the payload's exact length within its bucket.
 *
 * <p>Scheme (ISO/IEC 7816-4): {@code payload || 0x80 || 0x00...}, to {@code bucket - overhead}
 * bytes, where {@code overhead} is what the cipher adds (constant per cipher). Padding happens
 * before encryption, so the padding is authenticated with the payload. Stateless, thread-safe.
 *
 * @since 0.1
 */
public final class Padding {
  /** Body sizes in bytes, smallest first. The last fits a maximal payload plus overhead. */
  public static final int[] BUCKETS = {256, 1024, 4096, 16384, 66560};
  /** Largest payload of one envelope: 64 KiB. Larger payloads are chunked by the caller. */
  public static final int MAX_PAYLOAD = 65536;

  private Padding() {}

  /**
   * The body size a payload of {@code payloadLength} bytes gets when the cipher adds {@code
   * overhead} bytes.
   *
   * @throws QuotaExceededException if the payload is over {@link #MAX_PAYLOAD}
   */
  public static int bucketFor(int payloadLength, int overhead) throws QuotaExceededException {
    if (payloadLength < 0 || payloadLength > MAX_PAYLOAD) {
      throw new QuotaExceededException(
          "payload is " + payloadLength + " bytes; one envelope holds at most " + MAX_PAYLOAD);
    }
    int needed = payloadLength + 1 + overhead;
    for (int b : BUCKETS) {
      if (needed <= b) {
        return b;
      }
    }
    throw new QuotaExceededException("payload plus overhead does not fit the largest bucket");
  }

  /**
   * Pads {@code payload} to {@code bucketFor(payload.length, overhead) - overhead} bytes.
   *
   * @throws QuotaExceededException if the payload is over {@link #MAX_PAYLOAD}
   */
  public static byte[] pad(byte[] payload, int overhead) throws QuotaExceededException {
    int target = bucketFor(payload.length, overhead) - overhead;
    byte[] out = Arrays.copyOf(payload, target);
    out[payload.length] = (byte) 0x80;
    return out;
  }

  /** Eight bytes of an array as one big-endian {@code long}. */
  private static final VarHandle WORDS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  /**
   * Removes the padding in constant time with respect to the payload length: every byte is read,
   * eight at a time, and which one is the last non-zero byte is chosen without branches.
   *
   * @throws AuthenticationFailedException if the padding is malformed (only a sender holding
   *     the session keys could have produced it, so this is treated like a forgery)
   */
  public static byte[] unpad(byte[] padded) throws AuthenticationFailedException {
    // The last non-zero eight-byte word, then the last non-zero byte in it and in the tail; that
    // byte must be 0x80.
    int words = padded.length >>> 3;
    long lastWord = -1;
    long lastWordValue = 0;
    for (int w = 0; w < words; w++) {
      long v = (long) WORDS.get(padded, w << 3);
      long mask = (v | -v) >> 63; // all ones if v != 0
      lastWord = (w & mask) | (lastWord & ~mask);
      lastWordValue = (v & mask) | (lastWordValue & ~mask);
    }
    long last = -1;
    long lastValue = 0;
    long base = lastWord << 3;
    for (int b = 0; b < 8; b++) {
      long v = (lastWordValue >>> (56 - 8 * b)) & 0xff;
      long mask = -v >> 63; // all ones if v != 0 (v is 0..255)
      last = ((base + b) & mask) | (last & ~mask);
      lastValue = (v & mask) | (lastValue & ~mask);
    }
    for (int i = words << 3; i < padded.length; i++) { // the tail's length depends on the bucket only
      long v = padded[i] & 0xff;
      long mask = -v >> 63;
      last = (i & mask) | (last & ~mask);
      lastValue = (v & mask) | (lastValue & ~mask);
    }
    if (last < 0 || lastValue != 0x80) {
      throw new AuthenticationFailedException("malformed padding");
    }
    return Arrays.copyOf(padded, (int) last);
  }
}
