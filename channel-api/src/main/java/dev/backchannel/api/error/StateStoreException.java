package dev.backchannel.api.error;

/**
 * The local state store could not read or durably write state (I/O error, corrupt file,
 * wrong passphrase). The operation that raised it had no durable effect.
 *
 * <p>The message never contains key material or plaintext.
 *
 * @since 0.1
 */
public class StateStoreException extends BackchannelException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message that holds no secret. */
  public StateStoreException(String message) {
    super(message);
  }

  /** Creates the exception with a message that holds no secret, and its cause. */
  public StateStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
