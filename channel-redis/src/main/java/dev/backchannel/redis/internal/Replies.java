package dev.backchannel.redis.internal;

import dev.backchannel.api.error.StateStoreException;
import java.util.List;

/** Reads the parts of a script's reply (integers and arrays of integers). Stateless. */
public final class Replies {
  private Replies() {}

  /** The reply as an integer. */
  public static long integer(Object reply) throws StateStoreException {
    if (reply instanceof Long l) {
      return l;
    }
    throw new StateStoreException("unexpected reply from a redis store script");
  }

  /** Element {@code i} of an array reply, as an integer. */
  public static long at(Object reply, int i) throws StateStoreException {
    if (reply instanceof List<?> list && i < list.size()) {
      return integer(list.get(i));
    }
    throw new StateStoreException("unexpected reply from a redis store script");
  }
}
