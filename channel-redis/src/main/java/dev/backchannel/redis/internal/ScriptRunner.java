package dev.backchannel.redis.internal;

import dev.backchannel.api.error.StateStoreException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.util.concurrent.CompletableFuture;

/**
 * Runs the store's Lua scripts: {@code EVALSHA}, and on {@code NOSCRIPT} (a node that restarted,
 * failed over or was flushed) {@code EVAL}, which also caches the script on that node. With
 * {@code waitReplicas > 0} a write script runs on the connection of the node that owns its slot,
 * followed by {@code WAIT waitReplicas timeout} on that same connection (WAIT covers the calling
 * connection's writes). Thread-safe.
 */
public final class ScriptRunner {
  /** A script's reply, and whether the replicas asked for acknowledged it in time. */
  public record Written(Object reply, boolean replicated, long replicasAcked) {}

  private final StatefulRedisClusterConnection<byte[], byte[]> connection;
  private final int waitReplicas;
  private final long waitTimeoutMillis;

  /** Runs on {@code connection}, waiting for {@code waitReplicas} (0: none) after each write. */
  public ScriptRunner(StatefulRedisClusterConnection<byte[], byte[]> connection, int waitReplicas,
      long waitTimeoutMillis) {
    this.connection = connection;
    this.waitReplicas = waitReplicas;
    this.waitTimeoutMillis = waitTimeoutMillis;
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
        .thenApply(acked -> new Written(r, acked >= waitReplicas, acked)));
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
