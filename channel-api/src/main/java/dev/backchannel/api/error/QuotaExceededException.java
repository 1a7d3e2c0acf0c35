package dev.backchannel.api.error;

/**
 * A quota was exhausted: envelopes or bytes in a mailbox at the relay, or a local limit such as
 * the payload size of one message. A relay's {@code QUOTA_EXCEEDED} reply surfaces as this type.
 * Retrying after the recipient drains its mailbox may succeed.
 *
 * @since 0.1
 */
public class QuotaExceededException extends BackchannelException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message that holds no secret. */
  public QuotaExceededException(String message) {
    super(message);
  }
}
