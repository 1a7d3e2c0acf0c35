package dev.backchannel.api.error;

/**
 * An agreement can no longer take this step: it was rejected, it expired before it was signed,
 * it is complete already, or it holds no signature to export yet. The message names no key
 * material.
 *
 * @since 0.3
 */
public class AgreementClosedException extends BackchannelException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message that holds no secret. */
  public AgreementClosedException(String message) {
    super(message);
  }
}
