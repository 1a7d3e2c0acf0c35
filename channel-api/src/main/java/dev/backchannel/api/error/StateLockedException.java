package dev.backchannel.api.error;

/**
 * The state directory is already open, by another process or by another store in this one. Only
 * one peer (or relay store) may use a directory at a time; nothing was read or changed. Closing
 * the other user of the directory, then retrying, succeeds.
 *
 * <p>The message names the directory only.
 *
 * @since 0.1
 */
public class StateLockedException extends StateStoreException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message that holds no secret. */
  public StateLockedException(String message) {
    super(message);
  }

  /** Creates the exception with a message that holds no secret, and its cause. */
  public StateLockedException(String message, Throwable cause) {
    super(message, cause);
  }
}
