package dev.backchannel.api.error;

/**
 * Reasons a relay gives for refusing a request, mirroring the error codes of the wire protocol
 * ({@code docs/PROTOCOL.md}, ErrorCode). Like gRPC's {@code Status.Code}, each says whether a
 * retry can help.
 *
 * @since 0.1
 */
public enum RelayErrorCode {
  /** The code sent by the relay is not one this version knows. */
  UNKNOWN(false),
  /** The request frame was malformed or not allowed in the connection's state. */
  BAD_REQUEST(false),
  /** A signature or authentication token was refused. */
  UNAUTHORIZED(false),
  /** The mailbox does not exist (or no longer exists). */
  NO_SUCH_MAILBOX(false),
  /** The mailbox already exists. */
  MAILBOX_EXISTS(false),
  /** The mailbox is locked to another sender. */
  LOCKED(false),
  /** A quota (envelopes or bytes per mailbox, connections) is exhausted. */
  QUOTA_EXCEEDED(true),
  /** The frame or envelope exceeds the relay's size limit. */
  TOO_LARGE(false),
  /** The connection sends requests faster than the relay allows. */
  RATE_LIMITED(true),
  /** The relay cannot durably store right now (disk full, fsync failure, shutting down). */
  UNAVAILABLE(true),
  /** An error inside the relay. */
  INTERNAL(true),
  /** The relay's storage is at its watermark or its disk is full; sends succeed again once space is freed. */
  STORAGE_FULL(true),
  /** This connection or its source address created too many mailboxes or invitations for now. */
  BUDGET_EXCEEDED(true),
  /** The relay creates mailboxes and stores invitations only for clients holding its admission secret. */
  ADMISSION_REQUIRED(false),
  /** Too many connections from this source address. */
  TOO_MANY_CONNECTIONS(true);

  private final boolean retryable;

  RelayErrorCode(boolean retryable) {
    this.retryable = retryable;
  }

  /** Whether sending the same request again later may succeed. */
  public boolean retryable() {
    return retryable;
  }
}
