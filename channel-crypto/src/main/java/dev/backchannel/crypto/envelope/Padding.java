package dev.backchannel.crypto.envelope;

import dev.backchannel.api.error.AuthenticationFailedException;
import dev.backchannel.api.error.QuotaExceededException;
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

  /**
   * Removes the padding in constant time with respect to the payload length.
   *
   * @throws AuthenticationFailedException if the padding is malformed (only a sender holding
   *     the session keys could have produced it, so this is treated like a forgery)
   */
  public static byte[] unpad(byte[] padded) throws AuthenticationFailedException {
    // Scan the whole array: position of the last non-zero byte, which must be 0x80.
    int last = -1;
    int lastValue = 0;
    for (int i = 0; i < padded.length; i++) {
      int v = padded[i] & 0xff;
      int nonZero = ((v | -v) >>> 31) & 1;
      int mask = -nonZero;
      last = (i & mask) | (last & ~mask);
      lastValue = (v & mask) | (lastValue & ~mask);
    }
    if (last < 0 || lastValue != 0x80) {
      throw new AuthenticationFailedException("malformed padding");
    }
    return Arrays.copyOf(padded, last);
  }
}
