package dev.backchannel.netty.relay.store;

import dev.backchannel.api.error.BackchannelException;
import java.util.Objects;

/**
 * A {@link MailboxStore} refused a write for a reason the relay reports to its client as a typed
 * error: the mailbox does not exist (any more), it is locked to another sender, its owner key is
 * not the one the command was checked against, or the store is at its storage watermark. Nothing
 * of the refused operation was written. The message holds ids and sizes only, never secrets.
 *
 * @since 0.2
 */
public final class StoreRefusedException extends BackchannelException {
  private static final long serialVersionUID = 1L;

  /** Why the store refused. */
  public enum Reason {
    /** No mailbox with this id exists (it was never created, or was deleted). */
    NO_SUCH_MAILBOX,
    /** The mailbox is locked to a sender key other than the one the send proved. */
    LOCKED,
    /** The mailbox's owner key is not the one the command was verified with (it was re-created). */
    OWNER_CHANGED,
    /** Storing would take the store past its configured storage watermark. */
    STORAGE_FULL
  }

  private final Reason reason;

  /** Creates the exception; {@code message} must hold no secret. */
  public StoreRefusedException(Reason reason, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** Why the store refused. */
  public Reason reason() {
    return reason;
  }
}
