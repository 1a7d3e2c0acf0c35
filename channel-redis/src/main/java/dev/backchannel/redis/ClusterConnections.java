package dev.backchannel.redis;

import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Makes the Lettuce cluster client of a {@link RedisMailboxStore}: seed URIs with the
 * credentials, periodic (30 s) and adaptive topology refresh (a failover or slot move is
 * followed; writes that wait for replicas also ask for a refresh when they fail on one node's
 * connection, which Lettuce does not count, see {@code ScriptRunner}), a
 * bounded request queue (commands issued while a node reconnects wait in it; beyond it they are
 * refused) and the command timeout (a command that waits longer fails). Stateless.
 */
final class ClusterConnections {
  /** Most commands queued per connection before new ones are refused. */
  static final int REQUEST_QUEUE = 65_536;

  private ClusterConnections() {}

  static RedisClusterClient client(RedisStoreConfig config) {
    List<RedisURI> uris = new ArrayList<>();
    for (String node : config.nodes()) {
      int colon = node.lastIndexOf(':');
      RedisURI.Builder b = RedisURI.builder()
          .withHost(node.substring(0, colon))
          .withPort(Integer.parseInt(node.substring(colon + 1)))
          .withTimeout(config.commandTimeout());
      char[] password = config.password();
      if (password != null) {
        if (config.username() != null) {
          b.withAuthentication(config.username(), new String(password));
        } else {
          b.withPassword(password);
        }
        java.util.Arrays.fill(password, '\0');
      }
      uris.add(b.build());
    }
    RedisClusterClient client = RedisClusterClient.create(uris);
    client.setOptions(ClusterClientOptions.builder()
        .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
            .enablePeriodicRefresh(Duration.ofSeconds(30))
            .enableAllAdaptiveRefreshTriggers()
            .build())
        .requestQueueSize(REQUEST_QUEUE)
        .timeoutOptions(TimeoutOptions.enabled(config.commandTimeout()))
        .build());
    return client;
  }

  static StatefulRedisClusterConnection<byte[], byte[]> connect(RedisClusterClient client) {
    return client.connect(ByteArrayCodec.INSTANCE);
  }

  static void shutdown(RedisClusterClient client) {
    client.shutdown(0, 2, TimeUnit.SECONDS);
  }
}
