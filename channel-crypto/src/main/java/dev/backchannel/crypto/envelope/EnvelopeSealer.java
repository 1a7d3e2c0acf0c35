package dev.backchannel.crypto.envelope;

import dev.backchannel.api.error.AuthenticationFailedException;
import dev.backchannel.api.error.MalformedInputException;
import dev.backchannel.api.error.QuotaExceededException;
import dev.backchannel.crypto.ratchet.DecryptedMessage;
import dev.backchannel.crypto.ratchet.RatchetState;
import java.util.Arrays;

/**
 * Seals payloads into {@link Envelope}s with a session's {@link RatchetState}, and opens them.
 *
 * <p>The mailbox id is bound into the ratchet message's associated data, so an envelope moved
 * to another mailbox fails to open; the padding is inside the encryption, so every body of a
 * bucket has the same length and a changed byte anywhere fails authentication. Opening is
 * transactional like {@link RatchetState#decrypt}. Stateless; thread safety is the state's.
 *
 * @since 0.1
 */
public final class EnvelopeSealer {
  private EnvelopeSealer() {}

  /**
   * Pads and encrypts {@code payload} for {@code mailboxId}.
   *
   * @throws QuotaExceededException if the payload is over {@link Padding#MAX_PAYLOAD}
   * @throws MalformedInputException if the mailbox id is not 32 bytes
   * @throws IllegalStateException if the session cannot send yet
   */
  public static Envelope seal(RatchetState session, byte[] mailboxId, byte[] payload)
      throws QuotaExceededException, MalformedInputException {
    if (mailboxId == null || mailboxId.length != Envelope.MAILBOX_ID_LENGTH) {
      throw new MalformedInputException("mailbox id must be 32 bytes");
    }
    return new Envelope(mailboxId, sealBody(session, mailboxId, payload));
  }

  /**
   * As {@link #seal}, returning only the envelope's body (what a relay {@code Send} carries), for
   * callers that hold the mailbox id already: no {@link Envelope} and none of its defensive copies.
   *
   * @throws QuotaExceededException if the payload is over {@link Padding#MAX_PAYLOAD}
   * @throws MalformedInputException if the mailbox id is not 32 bytes
   * @throws IllegalStateException if the session cannot send yet
   */
  public static byte[] sealBody(RatchetState session, byte[] mailboxId, byte[] payload)
      throws QuotaExceededException, MalformedInputException {
    if (mailboxId == null || mailboxId.length != Envelope.MAILBOX_ID_LENGTH) {
      throw new MalformedInputException("mailbox id must be 32 bytes");
    }
    byte[] padded = Padding.pad(payload, RatchetState.OVERHEAD);
    byte[] body = session.encrypt(padded, mailboxId);
    java.util.Arrays.fill(padded, (byte) 0);
    return body;
  }

  /**
   * As {@link #open} for an envelope given as its mailbox id and body (neither is copied nor
   * kept). On any exception the session is unchanged.
   *
   * @throws AuthenticationFailedException if the body was not sealed by the other side of this
   *     session for this mailbox, or was changed in any way
   * @throws dev.backchannel.api.error.DuplicateMessageException if it was opened before
   * @throws MalformedInputException if the mailbox id is not 32 bytes or the body not a bucket size
   */
  public static DecryptedMessage openBody(RatchetState session, byte[] mailboxId, byte[] body)
      throws AuthenticationFailedException, MalformedInputException {
    if (mailboxId == null || mailboxId.length != Envelope.MAILBOX_ID_LENGTH) {
      throw new MalformedInputException("envelope mailbox id must be 32 bytes");
    }
    if (body == null || Arrays.stream(Padding.BUCKETS).noneMatch(b -> b == body.length)) {
      throw new MalformedInputException("envelope body must be one of the bucket sizes, got "
          + (body == null ? "none" : body.length + " bytes"));
    }
    return session.decrypt(body, mailboxId, Padding::unpad);
  }

  /**
   * Decrypts and unpads an envelope. On any exception the session is unchanged.
   *
   * @throws AuthenticationFailedException if the envelope was not sealed by the other side of
   *     this session for this mailbox, or was changed in any way
   * @throws dev.backchannel.api.error.DuplicateMessageException if it was opened before
   * @throws MalformedInputException if the body is too short to be a ratchet message
   */
  public static DecryptedMessage open(RatchetState session, Envelope envelope)
      throws AuthenticationFailedException, MalformedInputException {
    return session.decrypt(envelope.body(), envelope.mailboxId(), Padding::unpad);
  }
}
