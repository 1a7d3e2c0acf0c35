package dev.backchannel.api.error;

/**
 * A message or command names a session, contact, prekey or mailbox that this side does not
 * have (for example a one-time prekey that was already used).
 *
 * <p>The message never contains key material or plaintext.
 *
 * @since 0.1
 */
public class UnknownSessionException extends BackchannelException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message that holds no secret. */
  public UnknownSessionException(String message) {
    super(message);
  }

  /** Creates the exception with a message that holds no secret, and its cause. */
  public UnknownSessionException(String message, Throwable cause) {
    super(message, cause);
  }
}
