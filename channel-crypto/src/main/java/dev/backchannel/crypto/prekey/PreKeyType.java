package dev.backchannel.crypto.prekey;

import dev.backchannel.crypto.internal.Hkdf;
import java.nio.ByteBuffer;

/**
 * The kinds of prekey, each with the type tag its signature covers, so that a key of one kind
 * can never be presented as another (an X25519 key in the KEM slot, or the reverse).
 *
 * @since 0.1
 */
public enum PreKeyType {
  /** The signed X25519 prekey. */
  SIGNED_X25519(1, 32),
  /** The signed last-resort ML-KEM-768 prekey. */
  LAST_RESORT_KEM(2, 1184),
  /** A signed one-time ML-KEM-768 prekey. */
  ONE_TIME_KEM(3, 1184);

  private static final byte[] LABEL = Hkdf.label("Backchannel-v1 prekey");

  private final int tag;
  private final int keyLength;

  PreKeyType(int tag, int keyLength) {
    this.tag = tag;
    this.keyLength = keyLength;
  }

  /** The type tag byte. */
  public int tag() {
    return tag;
  }

  /** The public key length of this kind. */
  public int keyLength() {
    return keyLength;
  }

  /** {@code "Backchannel-v1 prekey" || u8 tag || u32 id || key}: what the identity signs. */
  byte[] signedMessage(long id, byte[] key) {
    return ByteBuffer.allocate(LABEL.length + 1 + 4 + key.length)
        .put(LABEL)
        .put((byte) tag)
        .putInt((int) id)
        .put(key)
        .array();
  }
}
