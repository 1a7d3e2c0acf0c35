package dev.backchannel.api.error;

/**
 * The relay presented a key whose SHA-256 does not match the fingerprint pinned in its
 * address. Nothing was sent to it.
 *
 * <p>The message never contains key material or plaintext.
 *
 * @since 0.1
 */
public class UntrustedRelayException extends BackchannelException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message that holds no secret. */
  public UntrustedRelayException(String message) {
    super(message);
  }

  /** Creates the exception with a message that holds no secret, and its cause. */
  public UntrustedRelayException(String message, Throwable cause) {
    super(message, cause);
  }
}
