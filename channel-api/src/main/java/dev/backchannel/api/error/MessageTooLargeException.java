package dev.backchannel.api.error;

/**
 * A message is larger than one envelope can carry. It never entered the outbox and will never be
 * sent; a smaller message may be.
 *
 * @since 0.2
 */
public class MessageTooLargeException extends BackchannelException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message that holds no secret. */
  public MessageTooLargeException(String message) {
    super(message);
  }
}
