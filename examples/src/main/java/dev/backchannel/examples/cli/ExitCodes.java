package dev.backchannel.examples.cli;

import dev.backchannel.api.error.InvalidInvitationException;
import dev.backchannel.api.error.MalformedInputException;
import dev.backchannel.api.error.PassphraseRejectedException;
import dev.backchannel.api.error.QuotaExceededException;
import dev.backchannel.api.error.RelayRejectedException;
import dev.backchannel.api.error.RelayUnavailableException;
import dev.backchannel.api.error.StateLockedException;
import dev.backchannel.api.error.UnknownSessionException;
import dev.backchannel.api.error.UntrustedRelayException;

/**
 * The exit codes of {@code backchannel peer}, {@code relay} and {@code demo}, as the README lists
 * them. {@code verify} has its own fixed contract ({@link VerifyCommand}: 0 valid, 1 invalid,
 * 2 incomplete) and exits {@link #VERIFY_USAGE} when its command line is wrong.
 *
 * <p>Codes 0 to 4 keep the meaning they had in 0.1.0; each later one is new and has one cause.
 *
 * @since 0.1
 */
public final class ExitCodes {
  /** Success. */
  public static final int OK = 0;
  /** A local failure with no code of its own (an unreadable or corrupt state, a bug). */
  public static final int FAILURE = 1;
  /**
   * Bad input: a usage error, a mistyped, corrupt or expired invitation, an unknown contact, an
   * oversized message, an invalid option value, an unknown or expired introduction.
   */
  public static final int BAD_INPUT = 2;
  /** The relay is unreachable (within the timeout) or refuses the request. */
  public static final int RELAY = 3;
  /** The relay's key does not match the key hash in its address. */
  public static final int UNTRUSTED_RELAY = 4;
  /** The peer's state directory is in use by another process (another {@code peer} command). */
  public static final int STATE_LOCKED = 5;
  /** The passphrase is wrong, or missing for an encrypted state, or given for a plain one. */
  public static final int PASSPHRASE = 6;
  /** The relay's data directory is in use by another relay. */
  public static final int RELAY_DATA_IN_USE = 7;
  /**
   * A usage error of {@code verify} (unknown option, missing FILE): 64, as {@code EX_USAGE} of
   * BSD's sysexits, so that it cannot be mistaken for verify's 1 (invalid) or 2 (incomplete).
   */
  public static final int VERIFY_USAGE = 64;

  private ExitCodes() {}

  /** The exit code for a failure of a {@code peer} command. */
  public static int of(Throwable e) {
    if (e instanceof UntrustedRelayException) {
      return UNTRUSTED_RELAY;
    }
    if (e instanceof StateLockedException) {
      return STATE_LOCKED;
    }
    if (e instanceof PassphraseRejectedException) {
      return PASSPHRASE;
    }
    if (e instanceof InvalidInvitationException || e instanceof MalformedInputException
        || e instanceof dev.backchannel.api.error.IntroductionClosedException
        || e instanceof dev.backchannel.api.error.AgreementClosedException
        || e instanceof UnknownSessionException || e instanceof QuotaExceededException
        || e instanceof dev.backchannel.api.error.MessageTooLargeException
        || e instanceof IllegalArgumentException) {
      return BAD_INPUT;
    }
    if (e instanceof RelayUnavailableException || e instanceof RelayRejectedException
        || e instanceof dev.backchannel.api.error.UndeliverableException) {
      return RELAY;
    }
    return FAILURE;
  }

  /** A one-line message with what to do, for {@code error: } lines. */
  static String advice(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (e instanceof UntrustedRelayException) {
      return m + " (check the relay address you were given)";
    }
    if (e instanceof RelayUnavailableException) {
      return m + " (is the relay running? try again later)";
    }
    if (e instanceof StateLockedException) {
      return m + " (wait for the other command to finish, or stop it)";
    }
    if (e instanceof PassphraseRejectedException && m.contains("needed")) {
      return m + " (set the passphrase with --passphrase-env VAR)";
    }
    return m;
  }
}
