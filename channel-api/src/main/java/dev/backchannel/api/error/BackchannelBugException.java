package dev.backchannel.api.error;

/**
 * An internal invariant was broken: a bug in Backchannel, never a consequence of bad input. Bad
 * input always raises a checked {@link BackchannelException} subtype instead.
 *
 * <p>The message never contains key material or plaintext.
 *
 * @since 0.1
 */
public class BackchannelBugException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message that holds no secret. */
  public BackchannelBugException(String message) {
    super(message);
  }

  /** Creates the exception with a message that holds no secret, and its cause. */
  public BackchannelBugException(String message, Throwable cause) {
    super(message, cause);
  }
}
