package dev.backchannel.crypto.ratchet;

import dev.backchannel.crypto.internal.Hkdf;
import dev.backchannel.crypto.internal.Hmac;
import java.util.Arrays;

/** The ratchet's key derivation functions (docs/PROTOCOL.md, "Double Ratchet", KDFs). */
final class RatchetKdf {
  static final byte[] ROOT_LABEL = Hkdf.label("Backchannel-v1 ratchet root");
  static final byte[] MESSAGE_LABEL = Hkdf.label("Backchannel-v1 ratchet message");
  private static final byte[] MESSAGE_KEY_CONSTANT = {0x01};
  private static final byte[] CHAIN_KEY_CONSTANT = {0x02};

  private RatchetKdf() {}

  /**
   * KDF_RK_HE: {@code HKDF(salt = rk, ikm = dhOut, info = ROOT_LABEL, 96)} split into the new
   * root key, a chain key and a next header key. Zeroes {@code dhOut}.
   */
  static byte[][] root(byte[] rk, byte[] dhOut) {
    byte[] okm = Hkdf.derive(rk, dhOut, ROOT_LABEL, 96);
    Arrays.fill(dhOut, (byte) 0);
    byte[][] out = {
      Arrays.copyOfRange(okm, 0, 32), Arrays.copyOfRange(okm, 32, 64), Arrays.copyOfRange(okm, 64, 96)
    };
    Arrays.fill(okm, (byte) 0);
    return out;
  }

  /** KDF_CK in one key schedule: {@code {HMAC(ck, 0x01), HMAC(ck, 0x02)}}, the message key and the next chain key. */
  static byte[][] step(byte[] ck) {
    return Hmac.macPair(ck, MESSAGE_KEY_CONSTANT[0], CHAIN_KEY_CONSTANT[0]);
  }

  /** KDF_CK: the message key {@code HMAC(ck, 0x01)}. */
  static byte[] messageKey(byte[] ck) {
    return Hmac.mac(ck, MESSAGE_KEY_CONSTANT);
  }

  /** KDF_CK: the next chain key {@code HMAC(ck, 0x02)}. */
  static byte[] nextChainKey(byte[] ck) {
    return Hmac.mac(ck, CHAIN_KEY_CONSTANT);
  }

  /**
   * The AEAD key of a message key: {@code HKDF(salt = 32 zero bytes, ikm = mk, info =
   * MESSAGE_LABEL, 32)}. The nonce is random and travels with the body, so even a sender
   * restored from an old backup, which derives the same key again, never reuses a (key, nonce)
   * pair.
   */
  static byte[] messageCipherKey(byte[] mk) {
    return Hkdf.deriveZeroSalt32(mk, MESSAGE_LABEL);
  }
}
