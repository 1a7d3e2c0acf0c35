package dev.backchannel.redis;

import dev.backchannel.api.RelayAddress;
import dev.backchannel.netty.relay.RelayConfig;
import dev.backchannel.netty.relay.RelayServer;
import java.nio.file.Path;

/**
 * Runs one relay node of a cluster in its own JVM, for tests that kill it:
 * {@code ClusterRelayProcessMain <data dir> <key file> <port> <advertised list> <key prefix> <seed,seed…>}.
 * Prints {@code relay address: …} once it accepts connections.
 */
public final class ClusterRelayProcessMain {
  private ClusterRelayProcessMain() {}

  public static void main(String[] args) throws Exception {
    RedisStoreConfig.Builder store = RedisStoreConfig.builder().keyPrefix(args[4]);
    for (String seed : args[5].split(",")) {
      store.node(seed);
    }
    RelayServer relay = RelayServer.start(RelayConfig.builder(Path.of(args[0]))
        .keyFile(Path.of(args[1]))
        .port(Integer.parseInt(args[2]))
        .advertise(RelayAddress.parseEndpoints(args[3]))
        .mailboxStore(RedisMailboxStore.open(store.build()))
        .build());
    System.out.println("relay address: " + relay.address());
    System.out.flush();
    Thread.currentThread().join(); // until killed
  }
}
