package dev.backchannel.redis.internal;

import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store-wide count of bytes held (envelope bodies and invitation bundles), in one cluster key
 * ({@link RedisKeys#storedBytes()}). A mailbox script cannot touch it (another slot), so each
 * script returns the bytes it added or freed and this class applies them with {@code INCRBY}
 * right after. The count is therefore approximate across failures: a process that dies between a
 * script and its {@code INCRBY} leaves the count off by that write. {@link #known()} is the last
 * value this instance saw (its own {@code INCRBY} replies, and a {@code GET} on {@link #refresh});
 * another node's writes show up at the next refresh. Thread-safe.
 */
public final class StoreBytes {
  private static final Logger LOG = LoggerFactory.getLogger(StoreBytes.class);

  private final StatefulRedisClusterConnection<byte[], byte[]> connection;
  private final byte[] key;
  private volatile long known;

  /** Counts in {@code keys.storedBytes()}. */
  public StoreBytes(StatefulRedisClusterConnection<byte[], byte[]> connection, RedisKeys keys) {
    this.connection = connection;
    this.key = keys.storedBytes();
  }

  /** Adds {@code delta} (negative when freed); completes normally even if the counter write fails. */
  public CompletableFuture<Void> add(long delta) {
    if (delta == 0) {
      return CompletableFuture.completedFuture(null);
    }
    return connection.async().incrby(key, delta).toCompletableFuture()
        .handle((v, e) -> {
          if (e != null) {
            LOG.warn("cannot update the redis store's byte count ({}): it is off by {} bytes",
                Failures.unwrap(e).getClass().getSimpleName(), delta);
          } else {
            known = Math.max(0, v);
          }
          return null;
        });
  }

  /** Reads the counter again. */
  public CompletableFuture<Long> refresh() {
    return connection.async().get(key).toCompletableFuture().thenApply(v -> {
      long n = v == null ? 0 : Long.parseLong(new String(v, StandardCharsets.US_ASCII));
      known = Math.max(0, n);
      return known;
    });
  }

  /** The last count seen; never blocks. */
  public long known() {
    return known;
  }
}
