package dev.backchannel.api.spi;

import dev.backchannel.api.Peer;
import dev.backchannel.api.PeerConfig;
import dev.backchannel.api.error.BackchannelException;

/**
 * The runtime behind {@link Peer#builder()}, found with {@link java.util.ServiceLoader}
 * ({@code META-INF/services/dev.backchannel.api.spi.PeerProvider}). Applications never name it.
 *
 * @since 0.1
 */
public interface PeerProvider {
  /**
   * Opens (creating on first use) the peer described by {@code config}.
   *
   * @throws BackchannelException if it cannot be opened
   */
  Peer open(PeerConfig config) throws BackchannelException;
}
