package dev.backchannel.api.error;

/**
 * The relay could not be reached, or the connection to it was lost before an answer. Retrying
 * later is safe: nothing acknowledged is lost and un-acknowledged messages stay in the outbox.
 *
 * <p>The message never contains key material or plaintext.
 *
 * @since 0.1
 */
public class RelayUnavailableException extends BackchannelException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message that holds no secret. */
  public RelayUnavailableException(String message) {
    super(message);
  }

  /** Creates the exception with a message that holds no secret, and its cause. */
  public RelayUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
