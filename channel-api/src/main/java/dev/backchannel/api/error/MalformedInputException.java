package dev.backchannel.api.error;

/**
 * Input bytes or text could not be parsed: truncated, oversized, of the wrong version or type,
 * or otherwise not in the format {@code docs/PROTOCOL.md} specifies. Parsers throw this and
 * nothing else on any input.
 *
 * <p>The message never contains key material or plaintext.
 *
 * @since 0.1
 */
public class MalformedInputException extends BackchannelException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message that holds no secret. */
  public MalformedInputException(String message) {
    super(message);
  }

  /** Creates the exception with a message that holds no secret, and its cause. */
  public MalformedInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
