package dev.backchannel.crypto.invitation;

import dev.backchannel.api.error.AuthenticationFailedException;
import dev.backchannel.api.error.MalformedInputException;
import dev.backchannel.api.error.QuotaExceededException;
import dev.backchannel.crypto.envelope.Padding;
import dev.backchannel.crypto.internal.Aead;
import dev.backchannel.crypto.internal.AesGcmAead;
import dev.backchannel.crypto.internal.Hkdf;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * What both parties derive from a 32-byte invitation secret: the ids of the invitation mailbox
 * and of the sealed bundle at the relay, and the keys that seal the bundle (inviter to invitee)
 * and the initial message (invitee to inviter). The relay sees only the ids and ciphertexts, so
 * it learns neither identity.
 *
 * <p>Sealed form: {@code nonce[12] || AES-256-GCM(key, nonce, ad, pad(plaintext))}; the initial
 * message is padded so the whole is exactly one envelope bucket. Owns copies of its keys;
 * {@link #close()} zeroes them. Not thread-safe.
 *
 * @since 0.1
 */
public final class InvitationSecrets implements AutoCloseable {
  /** Bytes sealing adds besides padding: nonce and tag. */
  public static final int OVERHEAD = Aead.NONCE_LENGTH + Aead.TAG_LENGTH;

  private static final byte[] MAILBOX_LABEL = Hkdf.label("Backchannel-v1 invitation mailbox");
  private static final byte[] BUNDLE_ID_LABEL = Hkdf.label("Backchannel-v1 invitation bundle id");
  private static final byte[] BUNDLE_KEY_LABEL = Hkdf.label("Backchannel-v1 invitation bundle key");
  private static final byte[] HANDSHAKE_KEY_LABEL = Hkdf.label("Backchannel-v1 invitation handshake key");
  private static final byte[] BUNDLE_AD = Hkdf.label("Backchannel-v1 invitation bundle");
  private static final byte[] HANDSHAKE_AD = Hkdf.label("Backchannel-v1 invitation handshake");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final byte[] mailboxId;
  private final byte[] bundleId;
  private final byte[] bundleKey;
  private final byte[] handshakeKey;

  private InvitationSecrets(byte[] secret) {
    mailboxId = Hkdf.derive(null, secret, MAILBOX_LABEL, 32);
    bundleId = Hkdf.derive(null, secret, BUNDLE_ID_LABEL, 32);
    bundleKey = Hkdf.derive(null, secret, BUNDLE_KEY_LABEL, 32);
    handshakeKey = Hkdf.derive(null, secret, HANDSHAKE_KEY_LABEL, 32);
  }

  /**
   * Derives everything from {@code secret}.
   *
   * @throws IllegalArgumentException if the secret is not 32 bytes
   */
  public static InvitationSecrets derive(byte[] secret) {
    if (secret == null || secret.length != 32) {
      throw new IllegalArgumentException("invitation secret must be 32 bytes");
    }
    return new InvitationSecrets(secret);
  }

  /** The one-time mailbox where the invitee sends the initial message (a copy). */
  public byte[] mailboxId() {
    return mailboxId.clone();
  }

  /** The id under which the sealed bundle waits at the relay (a copy). */
  public byte[] bundleId() {
    return bundleId.clone();
  }

  /** Seals a serialized prekey bundle for the relay. */
  public byte[] sealBundle(byte[] bundle) throws QuotaExceededException {
    return seal(bundleKey, concat(BUNDLE_AD, bundleId), Padding.pad(bundle, OVERHEAD));
  }

  /**
   * Opens a sealed bundle.
   *
   * @throws AuthenticationFailedException if it was not sealed with this secret or was changed
   * @throws MalformedInputException if it is too short
   */
  public byte[] openBundle(byte[] sealed) throws AuthenticationFailedException, MalformedInputException {
    return Padding.unpad(open(bundleKey, concat(BUNDLE_AD, bundleId), sealed));
  }

  /** Seals an initial message into an envelope body of one bucket size. */
  public byte[] sealInitialMessage(byte[] initialMessage) throws QuotaExceededException {
    return seal(handshakeKey, concat(HANDSHAKE_AD, mailboxId), Padding.pad(initialMessage, OVERHEAD));
  }

  /**
   * Opens a sealed initial message.
   *
   * @throws AuthenticationFailedException if it was not sealed with this secret or was changed
   * @throws MalformedInputException if it is too short
   */
  public byte[] openInitialMessage(byte[] sealed) throws AuthenticationFailedException, MalformedInputException {
    return Padding.unpad(open(handshakeKey, concat(HANDSHAKE_AD, mailboxId), sealed));
  }

  private static byte[] seal(byte[] key, byte[] ad, byte[] padded) {
    byte[] nonce = new byte[Aead.NONCE_LENGTH];
    RANDOM.nextBytes(nonce);
    byte[] ct = AesGcmAead.INSTANCE.seal(key, nonce, ad, padded);
    byte[] out = Arrays.copyOf(nonce, nonce.length + ct.length);
    System.arraycopy(ct, 0, out, nonce.length, ct.length);
    return out;
  }

  private static byte[] open(byte[] key, byte[] ad, byte[] sealed)
      throws AuthenticationFailedException, MalformedInputException {
    if (sealed == null || sealed.length < OVERHEAD + 1) {
      throw new MalformedInputException("sealed invitation data is too short");
    }
    return AesGcmAead.INSTANCE.open(key, Arrays.copyOf(sealed, Aead.NONCE_LENGTH), ad, sealed,
        Aead.NONCE_LENGTH, sealed.length - Aead.NONCE_LENGTH);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** Zeroes the keys. */
  @Override
  public void close() {
    Arrays.fill(bundleKey, (byte) 0);
    Arrays.fill(handshakeKey, (byte) 0);
  }

  @Override
  public String toString() {
    return "InvitationSecrets[redacted]";
  }
}
