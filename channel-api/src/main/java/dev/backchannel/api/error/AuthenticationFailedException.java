package dev.backchannel.api.error;

/**
 * A cryptographic check failed: an AEAD tag, a signature, a key agreement with a low-order
 * point, or a binding between identities. Deliberately never says which check failed. When this
 * is thrown while processing a message, the session state is unchanged.
 *
 * <p>The message never contains key material or plaintext.
 *
 * @since 0.1
 */
public class AuthenticationFailedException extends BackchannelException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message that holds no secret. */
  public AuthenticationFailedException(String message) {
    super(message);
  }

  /** Creates the exception with a message that holds no secret, and its cause. */
  public AuthenticationFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
