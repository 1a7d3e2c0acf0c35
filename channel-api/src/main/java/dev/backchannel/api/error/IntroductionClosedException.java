package dev.backchannel.api.error;

/**
 * An introduction is no longer pending: it was answered already, closed by the introducer (the
 * other side declined, or it expired: the two look the same), or its handshake failed. The message
 * names no key material.
 *
 * @since 0.3
 */
public class IntroductionClosedException extends BackchannelException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message that holds no secret. */
  public IntroductionClosedException(String message) {
    super(message);
  }
}
