package dev.backchannel.api.error;

import java.util.Objects;

/**
 * An invitation could not be used; {@link #reason()} says why in a way an application can show
 * to its user (a mistyped code is {@link Reason#CHECKSUM}, not a crash).
 *
 * <p>The message never contains the invitation secret.
 *
 * @since 0.1
 */
public class InvalidInvitationException extends BackchannelException {
  private static final long serialVersionUID = 1L;

  /** Why an invitation was refused. */
  public enum Reason {
    /** The text is not an invitation at all (wrong prefix, characters or length). */
    MALFORMED,
    /** The checksum does not match: the code was mistyped or cut short. */
    CHECKSUM,
    /** The invitation was made by a version of Backchannel this one does not read. */
    VERSION,
    /** The invitation's expiry has passed. */
    EXPIRED,
    /** The invitation was already used, or its bundle is gone from the relay. */
    USED,
    /** The bundle fetched for the invitation does not match the inviter's fingerprint. */
    MISMATCH
  }

  private final Reason reason;

  /** Creates the exception for {@code reason} with a message that holds no secret. */
  public InvalidInvitationException(Reason reason, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** Creates the exception for {@code reason} with a message that holds no secret and a cause. */
  public InvalidInvitationException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** Why the invitation was refused. */
  public Reason reason() {
    return reason;
  }
}
