package dev.backchannel.redis.internal;

import dev.backchannel.api.error.QuotaExceededException;
import dev.backchannel.api.error.StateStoreException;
import dev.backchannel.netty.relay.store.MailboxStore.Appended;
import dev.backchannel.netty.relay.store.StoreRefusedException;
import dev.backchannel.netty.relay.store.StoreRefusedException.Reason;
import java.util.List;

/**
 * Reads the scripts' replies (integers and arrays of integers, docs/PROTOCOL.md) inside future
 * stages: a malformed reply or a refusal is thrown as a {@link java.util.concurrent.CompletionException}
 * around the typed error. Stateless.
 */
public final class Replies {
  /** Status of a refused owner check (lock, delete). */
  public static final long OWNER_CHANGED = 5;

  private Replies() {}

  /** The reply as an integer. */
  public static long integer(Object reply) {
    if (reply instanceof Long l) {
      return l;
    }
    throw Failures.completion(new StateStoreException("unexpected reply from a redis store script"));
  }

  /** Element {@code i} of an array reply, as an integer. */
  public static long at(Object reply, int i) {
    if (reply instanceof List<?> list && i < list.size()) {
      return integer(list.get(i));
    }
    throw Failures.completion(new StateStoreException("unexpected reply from a redis store script"));
  }

  /** The bytes an append script's reply added to the store. */
  public static long appendDelta(Object reply) {
    return at(reply, 0) == 0 ? at(reply, 3) : 0;
  }

  /** The outcome of the append script: the append, or the typed refusal thrown. */
  public static Appended appended(Object reply) {
    switch ((int) at(reply, 0)) {
      case 0:
        return new Appended(at(reply, 1), at(reply, 2) == 1);
      case 1:
        throw Failures.completion(new StoreRefusedException(Reason.NO_SUCH_MAILBOX, "no such mailbox"));
      case 2:
        throw Failures.completion(
            new StoreRefusedException(Reason.LOCKED, "mailbox is locked to another sender"));
      case 3:
        throw Failures.completion(new QuotaExceededException("mailbox holds " + at(reply, 1)
            + " envelopes / " + at(reply, 2) + " bytes; quota reached"));
      case 4:
        throw Failures.completion(new StoreRefusedException(Reason.STORAGE_FULL, "relay storage is full"));
      default:
        throw Failures.completion(new StateStoreException("unexpected reply from the append script"));
    }
  }

  /** The refusal of a command whose owner check failed. */
  public static StoreRefusedException ownerChanged() {
    return new StoreRefusedException(Reason.OWNER_CHANGED, "owner key changed");
  }
}
