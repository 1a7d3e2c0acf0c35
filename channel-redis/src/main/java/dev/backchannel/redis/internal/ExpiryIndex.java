package dev.backchannel.redis.internal;

import io.lettuce.core.Range;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ValueScanCursor;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The bucketed expiry index, so that a sweep visits only what is due instead of scanning the
 * keyspace. Time is cut into buckets of {@code bucketMillis}; bucket {@code b} has a set
 * {@link RedisKeys#bucket(long)} of members {@code 'm' || mailbox_id} and {@code 'i' ||
 * invitation_id} that have something due in it, and the registry {@link RedisKeys#bucketRegistry()}
 * lists the buckets that may be non-empty. The exact deadlines live with the data (each mailbox's
 * {@code exp} sorted set, each bundle's {@code exp} field) and are checked by the expiry scripts,
 * so a hint is only a pointer: a stale or duplicate one costs one script call and nothing else.
 *
 * <p>A hint is written <em>before</em> the write it points to, so a write that succeeded always
 * has its hint; a deadline already past is hinted into the current bucket, which a sweep keeps
 * until it is over. Thread-safe.
 */
public final class ExpiryIndex {
  /** Members taken from a bucket set per scan step. */
  public static final int SCAN_COUNT = 512;
  /** Kind byte of a mailbox member. */
  public static final byte MAILBOX = 'm';
  /** Kind byte of an invitation member. */
  public static final byte INVITATION = 'i';
  private static final int REGISTERED_CACHE = 4096;

  private final StatefulRedisClusterConnection<byte[], byte[]> connection;
  private final RedisKeys keys;
  private final long bucketMillis;
  private final Set<Long> registered = ConcurrentHashMap.newKeySet();

  /** An index with buckets of {@code bucketMillis}. */
  public ExpiryIndex(StatefulRedisClusterConnection<byte[], byte[]> connection, RedisKeys keys,
      long bucketMillis) {
    if (bucketMillis < 1) {
      throw new IllegalArgumentException("bucket must be at least 1 ms");
    }
    this.connection = connection;
    this.keys = keys;
    this.bucketMillis = bucketMillis;
  }

  /** The bucket holding {@code atMillis}. */
  public long bucketOf(long atMillis) {
    return Math.floorDiv(atMillis, bucketMillis);
  }

  /** Records that {@code kind || id} has something due at {@code atMillis}. */
  public CompletableFuture<Void> hint(byte kind, byte[] id, long atMillis, long nowMillis) {
    long b = Math.max(bucketOf(atMillis), bucketOf(nowMillis));
    byte[] member = ByteBuffer.allocate(1 + id.length).put(kind).put(id).array();
    CompletableFuture<Long> added = connection.async().sadd(keys.bucket(b), member).toCompletableFuture();
    if (registered.contains(b)) {
      return added.thenApply(n -> null);
    }
    CompletableFuture<Long> listed = connection.async()
        .zadd(keys.bucketRegistry(), (double) b, EnvelopeCodec.decimal(b)).toCompletableFuture();
    return CompletableFuture.allOf(added, listed).thenRun(() -> {
      if (registered.size() >= REGISTERED_CACHE) {
        registered.clear();
      }
      registered.add(b);
    });
  }

  /**
   * Visits every member of every bucket due at {@code nowMillis}, calling {@code expire} on each
   * (the kind byte, then the id) and summing what it reports; a bucket that is entirely past is
   * then dropped with its registry entry. Blocks the calling thread.
   */
  public int sweep(long nowMillis, Function<byte[], CompletableFuture<Integer>> expire, long timeoutMillis)
      throws dev.backchannel.api.error.StateStoreException {
    long nowBucket = bucketOf(nowMillis);
    List<byte[]> due = Failures.awaitStored(connection.async()
        .zrangebyscore(keys.bucketRegistry(), Range.create(Double.NEGATIVE_INFINITY, (double) nowBucket))
        .toCompletableFuture(), timeoutMillis);
    int expired = 0;
    for (byte[] name : due) {
      long b = Long.parseLong(new String(name, StandardCharsets.US_ASCII));
      byte[] set = keys.bucket(b);
      ValueScanCursor<byte[]> cursor = null;
      do {
        ValueScanCursor<byte[]> at = cursor;
        ScanArgs args = ScanArgs.Builder.limit(SCAN_COUNT);
        cursor = Failures.awaitStored((at == null ? connection.async().sscan(set, args)
            : connection.async().sscan(set, at, args)).toCompletableFuture(), timeoutMillis);
        List<CompletableFuture<Integer>> step = new ArrayList<>();
        for (byte[] member : cursor.getValues()) {
          if (member.length > 1) {
            step.add(expire.apply(member));
          }
        }
        for (CompletableFuture<Integer> f : step) {
          expired += Failures.awaitStored(f, timeoutMillis);
        }
      } while (!cursor.isFinished());
      if ((b + 1) * bucketMillis - 1 <= nowMillis) {
        registered.remove(b);
        Failures.awaitStored(connection.async().del(set).toCompletableFuture(), timeoutMillis);
        Failures.awaitStored(connection.async().zrem(keys.bucketRegistry(), name).toCompletableFuture(),
            timeoutMillis);
      }
    }
    return expired;
  }

  /** The id part of a bucket member. */
  public static byte[] id(byte[] member) {
    return Arrays.copyOfRange(member, 1, member.length);
  }
}
