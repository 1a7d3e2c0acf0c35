package dev.backchannel.api;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * What a {@link PeerBuilder} collected, handed to the runtime's
 * {@link dev.backchannel.api.spi.PeerProvider}. The passphrase is held as a copy that
 * {@link #clearPassphrase()} zeroes (the runtime calls it once the key is derived).
 *
 * @since 0.1
 */
public final class PeerConfig {
  private final Path stateDirectory;
  private final char[] passphrase;
  private final RelayAddress relay;
  private final Executor callbackExecutor;

  PeerConfig(Path stateDirectory, char[] passphrase, RelayAddress relay, Executor callbackExecutor) {
    this.stateDirectory = Objects.requireNonNull(stateDirectory, "stateDirectory");
    this.passphrase = passphrase == null ? null : passphrase.clone();
    this.relay = Objects.requireNonNull(relay, "relay");
    this.callbackExecutor = callbackExecutor;
  }

  /** Where the peer keeps its state. */
  public Path stateDirectory() {
    return stateDirectory;
  }

  /** The passphrase, if the state is to be encrypted at rest (the array itself: do not keep it). */
  public Optional<char[]> passphrase() {
    return Optional.ofNullable(passphrase);
  }

  /** Overwrites the passphrase copy with zeros. */
  public void clearPassphrase() {
    if (passphrase != null) {
      Arrays.fill(passphrase, '\0');
    }
  }

  /** The relay where this peer's mailboxes live. */
  public RelayAddress relay() {
    return relay;
  }

  /** Where listeners run; empty for the runtime's own executor. */
  public Optional<Executor> callbackExecutor() {
    return Optional.ofNullable(callbackExecutor);
  }

  @Override
  public String toString() {
    return "PeerConfig[" + stateDirectory + ", relay=" + relay + ", passphrase="
        + (passphrase == null ? "none" : "set") + "]";
  }
}
