package dev.backchannel.api.error;

/**
 * Root of every checked failure in Backchannel.
 *
 * <p>Guarantees: the message never contains key material, plaintext or identity keys; it names
 * only ids, sizes and reasons. Futures returned by the API fail with these same types.
 *
 * @since 0.1
 */
public class BackchannelException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Creates an exception with a message that holds no secret. */
  public BackchannelException(String message) {
    super(message);
  }

  /** Creates an exception with a message that holds no secret, and its cause. */
  public BackchannelException(String message, Throwable cause) {
    super(message, cause);
  }
}
