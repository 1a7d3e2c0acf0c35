package dev.backchannel.api.error;

import java.util.Objects;

/**
 * The relay answered a request with an error. {@link #code()} says why and whether a retry may
 * help; the message holds the relay's short reason, which never contains secrets.
 *
 * @since 0.1
 */
public class RelayRejectedException extends BackchannelException {
  private static final long serialVersionUID = 1L;

  private final RelayErrorCode code;

  /** Creates the exception for {@code code} with the relay's short reason. */
  public RelayRejectedException(RelayErrorCode code, String message) {
    super(code + ": " + message);
    this.code = Objects.requireNonNull(code, "code");
  }

  /** The relay's reason code. */
  public RelayErrorCode code() {
    return code;
  }
}
