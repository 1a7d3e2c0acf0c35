package dev.backchannel.redis.internal;

import dev.backchannel.api.error.BackchannelException;
import dev.backchannel.api.error.StateStoreException;
import dev.backchannel.netty.relay.store.StorageFullException;
import dev.backchannel.netty.relay.store.StoreRefusedException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Turns what Lettuce and the futures throw into the store's typed errors: a refusal or quota
 * stays what it is, Redis out of memory becomes {@link StorageFullException}, everything else
 * {@link StateStoreException}. Messages name the kind of failure, never a key or a value.
 * Stateless.
 */
public final class Failures {
  private Failures() {}

  /** The cause behind completion and execution wrappers. */
  public static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** The typed error for {@code t}: a {@link BackchannelException} is kept, anything else mapped. */
  public static Throwable translate(Throwable t) {
    t = unwrap(t);
    if (t instanceof BackchannelException || t instanceof Error) {
      return t;
    }
    String m = t.getMessage() == null ? "" : t.getMessage();
    if (t instanceof RedisCommandExecutionException && m.startsWith("OOM")) {
      return new StorageFullException("redis cluster is out of memory (maxmemory)", t);
    }
    if (t instanceof RedisCommandTimeoutException) {
      return new StateStoreException("redis cluster did not answer in time", t);
    }
    if (t instanceof RedisConnectionException) {
      return new StateStoreException("redis cluster is unreachable", t);
    }
    if (t instanceof RedisCommandExecutionException) {
      int space = m.indexOf(' ');
      return new StateStoreException("redis cluster refused a command: "
          + (space > 0 ? m.substring(0, space) : m), t);
    }
    return new StateStoreException("redis store failure: " + t.getClass().getSimpleName(), t);
  }

  /** A future failed with the typed error for {@code t}. */
  public static CompletionException completion(Throwable t) {
    return new CompletionException(translate(t));
  }

  /**
   * Waits for {@code f} (a caller's thread, never an event loop) and returns its value.
   *
   * @throws StateStoreException on a storage failure or when {@code timeoutMillis} passes
   * @throws StoreRefusedException if the store refused
   */
  public static <T> T await(CompletableFuture<T> f, long timeoutMillis)
      throws StateStoreException, StoreRefusedException {
    try {
      return f.get(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StateStoreException("interrupted while waiting for the redis cluster", e);
    } catch (TimeoutException e) {
      throw new StateStoreException("redis cluster did not answer in time", e);
    } catch (ExecutionException e) {
      Throwable t = translate(e);
      if (t instanceof StateStoreException s) {
        throw s;
      }
      if (t instanceof StoreRefusedException r) {
        throw r;
      }
      if (t instanceof Error err) {
        throw err;
      }
      throw new StateStoreException("redis store failure", t);
    }
  }

  /** As {@link #await}, for operations that refuse nothing: a refusal is a storage failure. */
  public static <T> T awaitStored(CompletableFuture<T> f, long timeoutMillis) throws StateStoreException {
    try {
      return await(f, timeoutMillis);
    } catch (StoreRefusedException e) {
      throw new StateStoreException("operation refused", e);
    }
  }
}
