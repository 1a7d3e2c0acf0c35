package dev.backchannel.api.error;

/**
 * A message that was already received (a replay or a duplicate delivery) arrived again. No
 * plaintext is returned for it and the session state is unchanged; callers typically
 * acknowledge and drop it.
 *
 * <p>The message never contains key material or plaintext.
 *
 * @since 0.1
 */
public class DuplicateMessageException extends AuthenticationFailedException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message that holds no secret. */
  public DuplicateMessageException(String message) {
    super(message);
  }
}
