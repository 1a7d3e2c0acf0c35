package dev.backchannel.redis.internal;

import dev.backchannel.api.error.StateStoreException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs the store's Lua scripts: {@code EVALSHA}, and on {@code NOSCRIPT} (a node that restarted,
 * failed over or was flushed) {@code EVAL}, which also caches the script on that node. With
 * {@code waitReplicas > 0} a write script runs on the connection of the node that owns its slot,
 * followed by {@code WAIT waitReplicas timeout} on that same connection (WAIT covers the calling
 * connection's writes). Thread-safe.
 *
 * <p>Such a command goes to one node's own connection, so Lettuce neither follows a
 * {@code MOVED} reply on it nor counts it as a reason to refresh the cluster topology. After a
 * failover the store would keep sending a slot's writes to the dead master (they time out) or,
 * once that node is back as a replica, get {@code MOVED} from it, until the next periodic refresh
 * (30 s). So a write that fails there with {@code MOVED}, {@code ASK}, a timeout or a lost
 * connection asks for a topology refresh, at most once per {@link #REFRESH_INTERVAL_MILLIS}.
 * The write itself still fails (it is not acknowledged); the next one goes to the node the
 * refreshed topology names ({@code RedisReplicaFailoverTest}).
 */
public final class ScriptRunner {
  /** A script's reply, and whether the replicas asked for acknowledged it in time. */
  public record Written(Object reply, boolean replicated, long replicasAcked) {}

  /** Least time between two topology refreshes this runner asks for. */
  public static final long REFRESH_INTERVAL_MILLIS = 1_000;

  private final StatefulRedisClusterConnection<byte[], byte[]> connection;
  private final int waitReplicas;
  private final long waitTimeoutMillis;
  private final Runnable refreshTopology;
  private final AtomicLong lastRefresh = new AtomicLong(System.nanoTime() - REFRESH_INTERVAL_MILLIS * 1_000_000);

  /**
   * Runs on {@code connection}, waiting for {@code waitReplicas} (0: none) after each write;
   * {@code refreshTopology} starts an asynchronous refresh of the cluster topology (it must not
   * block).
   */
  public ScriptRunner(StatefulRedisClusterConnection<byte[], byte[]> connection, int waitReplicas,
      long waitTimeoutMillis, Runnable refreshTopology) {
    this.connection = connection;
    this.waitReplicas = waitReplicas;
    this.waitTimeoutMillis = waitTimeoutMillis;
    this.refreshTopology = refreshTopology;
  }

  /** Runs a script that only reads, or whose replication does not matter. */
  public CompletableFuture<Object> read(LuaScript script, byte[][] keys, byte[]... args) {
    return eval(connection.async(), script, keys, args);
  }

  /** Runs a write script; {@link Written#replicated} says whether the WAIT was met. */
  public CompletableFuture<Written> write(LuaScript script, byte[][] keys, byte[]... args) {
    if (waitReplicas == 0) {
      return eval(connection.async(), script, keys, args).thenApply(r -> new Written(r, true, 0));
    }
    RedisClusterNode node = connection.getPartitions().getPartitionBySlot(SlotHash.getSlot(keys[0]));
    if (node == null) {
      return CompletableFuture.failedFuture(
          new StateStoreException("no redis cluster node serves the mailbox's slot"));
    }
    RedisClusterAsyncCommands<byte[], byte[]> on;
    try {
      on = connection.async().getConnection(node.getNodeId());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(Failures.translate(e));
    }
    return eval(on, script, keys, args).thenCompose(r -> on.waitForReplication(waitReplicas, waitTimeoutMillis)
        .toCompletableFuture()
        .thenApply(acked -> new Written(r, acked >= waitReplicas, acked)))
        .whenComplete((w, e) -> {
          if (e != null && staleTopology(Failures.unwrap(e))) {
            refresh();
          }
        });
  }

  /** Whether a failure on one node's connection suggests the slot has moved or its node died. */
  private static boolean staleTopology(Throwable t) {
    if (t instanceof RedisCommandTimeoutException || t instanceof RedisConnectionException) {
      return true;
    }
    String m = t.getMessage();
    return t instanceof RedisCommandExecutionException && m != null
        && (m.startsWith("MOVED") || m.startsWith("ASK"));
  }

  private void refresh() {
    long now = System.nanoTime();
    long last = lastRefresh.get();
    if (now - last >= REFRESH_INTERVAL_MILLIS * 1_000_000 && lastRefresh.compareAndSet(last, now)) {
      try {
        refreshTopology.run();
      } catch (RuntimeException e) {
        // the periodic refresh remains
      }
    }
  }

  private static CompletableFuture<Object> eval(RedisClusterAsyncCommands<byte[], byte[]> on,
      LuaScript script, byte[][] keys, byte[][] args) {
    CompletableFuture<Object> sha =
        on.<Object>evalsha(script.sha(), script.output(), keys, args).toCompletableFuture();
    return sha.exceptionallyCompose(e -> Failures.unwrap(e) instanceof RedisNoScriptException
        ? on.<Object>eval(script.source(), script.output(), keys, args).toCompletableFuture()
        : CompletableFuture.failedFuture(e));
  }

  /** How many replicas each write waits for (0: none). */
  public int waitReplicas() {
    return waitReplicas;
  }
}
