package dev.backchannel.netty.runtime;

import dev.backchannel.api.Peer;
import dev.backchannel.api.PeerConfig;
import dev.backchannel.api.error.BackchannelException;
import dev.backchannel.api.spi.PeerProvider;
import dev.backchannel.crypto.atrest.Argon2idParameters;
import dev.backchannel.netty.store.RocksDbStateStore;

/**
 * The {@link PeerProvider} that {@code Peer.builder()} finds through {@link java.util.ServiceLoader}:
 * opens the embedded state store in the state directory and starts the runtime.
 *
 * @since 0.1
 */
public final class NettyPeerProvider implements PeerProvider {
  @Override
  public Peer open(PeerConfig config) throws BackchannelException {
    char[] passphrase = config.passphrase().map(char[]::clone).orElse(null);
    config.clearPassphrase();
    RocksDbStateStore store = RocksDbStateStore.open(config.stateDirectory(), passphrase, Argon2idParameters.DEFAULT);
    try {
      return RuntimePeer.open(config, store);
    } catch (BackchannelException | RuntimeException e) {
      store.close();
      throw e;
    }
  }
}
