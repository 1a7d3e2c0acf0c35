package dev.backchannel.api.error;

/**
 * A send failed for certain: the message is no longer in the outbox and will never be delivered
 * (it waited longer than the outbox's age limit, the outbox was full, or the relay refused it
 * for good). Other sends are not affected.
 *
 * @since 0.2
 */
public class UndeliverableException extends BackchannelException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message that holds no secret. */
  public UndeliverableException(String message) {
    super(message);
  }

  /** Creates the exception with a message that holds no secret, and its cause. */
  public UndeliverableException(String message, Throwable cause) {
    super(message, cause);
  }
}
