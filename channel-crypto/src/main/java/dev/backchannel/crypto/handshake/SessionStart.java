package dev.backchannel.crypto.handshake;

import dev.backchannel.api.error.AuthenticationFailedException;
import dev.backchannel.api.error.MalformedInputException;
import dev.backchannel.api.error.UnknownSessionException;
import dev.backchannel.crypto.IdentityKeyPair;
import dev.backchannel.crypto.IdentityPublicKey;
import dev.backchannel.crypto.prekey.PreKeyBundle;
import dev.backchannel.crypto.prekey.PreKeyStore;
import dev.backchannel.crypto.ratchet.DecryptedMessage;
import dev.backchannel.crypto.ratchet.RatchetState;

/**
 * Starts a session end to end: the handshake, the Double Ratchet initialisation and the first
 * message, in one call per side.
 *
 * <p>{@link #accept} is all-or-nothing: the responder's one-time prekeys are consumed only when
 * the first message authenticates, so a tampered initial message (for example a changed ML-KEM
 * ciphertext, which makes the sides derive different keys) fails with
 * {@link AuthenticationFailedException} and leaves the prekey store unchanged, while a replay of a
 * genuine one fails with {@link UnknownSessionException} because its one-time prekey is gone.
 * Stateless and thread-safe; the store is the caller's to serialize.
 *
 * @since 0.1
 */
public final class SessionStart {
  private SessionStart() {}

  /** The initiator's new session and the encoded initial message to send. */
  public record Started(RatchetState session, byte[] initialMessage) {
    /** Copies the message bytes. */
    public Started {
      initialMessage = initialMessage.clone();
    }

    /** The encoded initial message (a copy). */
    @Override
    public byte[] initialMessage() {
      return initialMessage.clone();
    }
  }

  /** The responder's new session, the initiator's identity and the first payload. */
  public record Accepted(RatchetState session, IdentityPublicKey peer, byte[] firstPayload) {
    /** Copies the payload bytes. */
    public Accepted {
      firstPayload = firstPayload.clone();
    }

    /** The first payload (a copy). */
    @Override
    public byte[] firstPayload() {
      return firstPayload.clone();
    }
  }

  /**
   * Opens a session to the publisher of {@code bundle} and encrypts {@code firstPayload} as the
   * first ratchet message (with {@code context} as its extra associated data).
   *
   * @throws MalformedInputException if the bundle's keys are malformed
   * @throws AuthenticationFailedException if the bundle's signatures fail or a key has low order
   */
  public static Started initiate(
      IdentityKeyPair me, PreKeyBundle bundle, byte[] context, byte[] firstPayload)
      throws MalformedInputException, AuthenticationFailedException {
    try (HybridHandshake.Initiation init = HybridHandshake.initiate(me, bundle, context)) {
      RatchetState session = RatchetState.initiator(init.seed(), init.responderRatchetKey());
      byte[] first = session.encrypt(firstPayload, context);
      return new Started(session, init.message(first).toByteArray());
    }
  }

  /**
   * Accepts an encoded initial message addressed to {@code me}; on success consumes the one-time
   * prekeys it used from {@code store}.
   *
   * @throws MalformedInputException if the message is not a valid encoding
   * @throws UnknownSessionException if it is for another identity or names unknown/used prekeys
   * @throws AuthenticationFailedException if the keys do not match (tampering, a wrong identity
   *     claimed, a low-order key)
   */
  public static Accepted accept(
      IdentityKeyPair me, PreKeyStore store, byte[] initialMessage, byte[] context)
      throws MalformedInputException, UnknownSessionException, AuthenticationFailedException {
    InitialMessage message = InitialMessage.parse(initialMessage);
    try (HybridHandshake.Response response = HybridHandshake.respond(me, store, message, context)) {
      RatchetState session =
          RatchetState.responder(response.seed(), response.responderRatchetPrivateKey());
      DecryptedMessage first = session.decrypt(message.firstMessage, context);
      response.commit(store);
      return new Accepted(session, response.initiator(), first.plaintext());
    }
  }
}
