package dev.backchannel.crypto.agreement;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Objects;

/**
 * An immutable run of public bytes (a hash, a public key, a signature, an id), so that records can
 * hold bytes and compare them by content. Never use it for secrets: those are {@link
 * dev.backchannel.crypto.SecretBytes}.
 *
 * <p>The bytes are copied in and out; {@link #equals} compares contents in constant time. Immutable
 * and thread-safe.
 *
 * @since 0.2
 */
public final class ByteValue {
  private static final HexFormat HEX = HexFormat.of();

  private final byte[] bytes;

  private ByteValue(byte[] bytes) {
    this.bytes = bytes;
  }

  /** A value holding a copy of {@code bytes}. */
  public static ByteValue copyOf(byte[] bytes) {
    return new ByteValue(Objects.requireNonNull(bytes, "bytes").clone());
  }

  /**
   * The value of lowercase or uppercase hexadecimal {@code hex}.
   *
   * @throws IllegalArgumentException if {@code hex} is not hexadecimal of even length
   */
  public static ByteValue fromHex(String hex) {
    return new ByteValue(HEX.parseHex(hex));
  }

  /** The number of bytes. */
  public int length() {
    return bytes.length;
  }

  /** A copy of the bytes. */
  public byte[] toByteArray() {
    return bytes.clone();
  }

  /** The bytes in lowercase hexadecimal. */
  public String hex() {
    return HEX.formatHex(bytes);
  }

  /** The internal array, for this package's encoders; never modified or handed out. */
  byte[] raw() {
    return bytes;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ByteValue v && MessageDigest.isEqual(bytes, v.bytes);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(bytes);
  }

  /** The hexadecimal form, shortened to its first 32 bytes for long values. */
  @Override
  public String toString() {
    if (bytes.length <= 32) {
      return hex();
    }
    return HEX.formatHex(bytes, 0, 32) + "…(" + bytes.length + " bytes)";
  }
}
