package dev.backchannel.api.error;

/**
 * The passphrase does not fit the state: it is wrong, or missing for a state encrypted at rest,
 * or given for a state created without one. Nothing was read or changed; the same call with the
 * right passphrase (or none) succeeds.
 *
 * <p>The message never contains the passphrase or anything derived from it, and does not say
 * how close a wrong passphrase was.
 *
 * @since 0.1
 */
public class PassphraseRejectedException extends StateStoreException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message that holds no secret. */
  public PassphraseRejectedException(String message) {
    super(message);
  }
}
