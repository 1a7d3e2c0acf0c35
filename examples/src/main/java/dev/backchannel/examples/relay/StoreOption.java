package dev.backchannel.examples.relay;

import dev.backchannel.api.RelayAddress;
import dev.backchannel.api.RelayAddress.Endpoint;
import dev.backchannel.api.error.MalformedInputException;
import dev.backchannel.redis.RedisStoreConfig;
import java.util.List;

/**
 * The value of {@code relay --store}: {@code redis://HOST:PORT[,HOST:PORT…]}, the seed nodes of
 * the Redis Cluster that the relay's nodes share (1..8 of them, each {@code host:port} with a
 * decimal port 1..65535).
 */
final class StoreOption {
  static final String SCHEME = "redis://";

  private StoreOption() {}

  /**
   * The store configuration for {@code value}.
   *
   * @throws MalformedInputException with a message that names the expected form
   */
  static RedisStoreConfig parse(String value) throws MalformedInputException {
    if (value == null || !value.startsWith(SCHEME)) {
      throw new MalformedInputException(
          "--store must be " + SCHEME + "HOST:PORT[,HOST:PORT…] (a Redis Cluster), got '" + value + "'");
    }
    List<Endpoint> seeds;
    try {
      seeds = RelayAddress.parseEndpoints(value.substring(SCHEME.length()));
    } catch (MalformedInputException e) {
      throw new MalformedInputException("--store " + value + ": " + e.getMessage()
          + " (expected " + SCHEME + "HOST:PORT[,HOST:PORT…])");
    }
    RedisStoreConfig.Builder b = RedisStoreConfig.builder();
    for (Endpoint e : seeds) {
      b.node(e.toString());
    }
    return b.build();
  }
}
