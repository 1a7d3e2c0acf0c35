package dev.backchannel.crypto;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable-until-closed holder of secret bytes (a key, a seed, a chain key).
 *
 * <p>Guarantees: the bytes are copied in and copied out; raw access needs an
 * {@link InsecureSecretAccess} token; {@link #toString()} shows only the length; there is no
 * {@code equals}/{@code hashCode} (use {@link #equalsConstantTime}); {@link #close()} overwrites
 * the bytes with zeros. Zeroization is best effort on the JVM: the garbage collector may have
 * copied the array before, and callers' own copies are theirs to clear.
 *
 * <p>Thread-safe for concurrent reads; closing while another thread reads is a caller bug.
 *
 * @since 0.1
 */
public final class SecretBytes implements AutoCloseable {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final byte[] bytes;
  private volatile boolean closed;

  private SecretBytes(byte[] bytes) {
    this.bytes = bytes;
  }

  /** Copies {@code bytes} into a new secret. The caller should clear its own array. */
  public static SecretBytes copyOf(byte[] bytes, InsecureSecretAccess access) {
    Objects.requireNonNull(access, "access");
    return new SecretBytes(bytes.clone());
  }

  /** Copies {@code length} bytes of {@code bytes} from {@code offset} into a new secret. */
  public static SecretBytes copyOf(byte[] bytes, int offset, int length, InsecureSecretAccess access) {
    Objects.requireNonNull(access, "access");
    return new SecretBytes(Arrays.copyOfRange(bytes, offset, offset + length));
  }

  /**
   * Takes ownership of {@code bytes} without copying; the caller must not keep or use the
   * array afterwards. Used inside the library to avoid a copy of freshly derived keys.
   */
  public static SecretBytes wrap(byte[] bytes, InsecureSecretAccess access) {
    Objects.requireNonNull(access, "access");
    return new SecretBytes(Objects.requireNonNull(bytes, "bytes"));
  }

  /** A new secret of {@code length} bytes from a {@link SecureRandom}. */
  public static SecretBytes random(int length) {
    byte[] b = new byte[length];
    RANDOM.nextBytes(b);
    return new SecretBytes(b);
  }

  /** The number of bytes held. */
  public int length() {
    return bytes.length;
  }

  /**
   * A copy of the secret bytes. The caller owns the copy and should clear it when done.
   *
   * @throws IllegalStateException if this secret was closed
   */
  public byte[] toByteArray(InsecureSecretAccess access) {
    Objects.requireNonNull(access, "access");
    checkOpen();
    return bytes.clone();
  }

  /**
   * The internal array itself, without a copy, for hot paths inside the library. The caller
   * must neither modify nor keep it.
   *
   * @throws IllegalStateException if this secret was closed
   */
  public byte[] unsafeBytes(InsecureSecretAccess access) {
    Objects.requireNonNull(access, "access");
    checkOpen();
    return bytes;
  }

  /** A new, independent secret with the same bytes. */
  public SecretBytes copy() {
    checkOpen();
    return new SecretBytes(bytes.clone());
  }

  /** Compares with {@code other} in time that depends only on the lengths. */
  public boolean equalsConstantTime(SecretBytes other) {
    checkOpen();
    other.checkOpen();
    return MessageDigest.isEqual(bytes, other.bytes);
  }

  /** Whether {@link #close()} has been called. */
  public boolean isClosed() {
    return closed;
  }

  /** Overwrites the bytes with zeros. Idempotent. */
  @Override
  public void close() {
    closed = true;
    Arrays.fill(bytes, (byte) 0);
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("secret was closed");
    }
  }

  /** Shows the length only, never the bytes. */
  @Override
  public String toString() {
    return "SecretBytes[" + bytes.length + " bytes, redacted]";
  }
}
