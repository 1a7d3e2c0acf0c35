package dev.backchannel.examples.cli;

import dev.backchannel.api.error.BackchannelException;
import dev.backchannel.api.error.InvalidInvitationException;
import dev.backchannel.api.error.MalformedInputException;
import dev.backchannel.api.error.QuotaExceededException;
import dev.backchannel.api.error.RelayRejectedException;
import dev.backchannel.api.error.RelayUnavailableException;
import dev.backchannel.api.error.StateStoreException;
import dev.backchannel.api.error.UnknownSessionException;
import dev.backchannel.api.error.UntrustedRelayException;

/**
 * The command line's exit codes: 0 success, 1 local failure (state), 2 bad input, 3 relay
 * unreachable or refusing, 4 relay key does not match its address.
 */
final class ExitCodes {
  static final int OK = 0;
  static final int FAILURE = 1;
  static final int BAD_INPUT = 2;
  static final int RELAY = 3;
  static final int UNTRUSTED_RELAY = 4;

  private ExitCodes() {}

  static int of(Throwable e) {
    if (e instanceof UntrustedRelayException) {
      return UNTRUSTED_RELAY;
    }
    if (e instanceof InvalidInvitationException || e instanceof MalformedInputException
        || e instanceof UnknownSessionException || e instanceof QuotaExceededException
        || e instanceof dev.backchannel.api.error.MessageTooLargeException
        || e instanceof IllegalArgumentException) {
      return BAD_INPUT;
    }
    if (e instanceof RelayUnavailableException || e instanceof RelayRejectedException
        || e instanceof dev.backchannel.api.error.UndeliverableException) {
      return RELAY;
    }
    if (e instanceof StateStoreException || e instanceof BackchannelException) {
      return FAILURE;
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
    if (e instanceof StateStoreException && m.contains("passphrase")) {
      return m + " (set the passphrase with --passphrase-env VAR)";
    }
    return m;
  }
}
