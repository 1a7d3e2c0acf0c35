package dev.backchannel.api;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
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
  private final List<RelayAddress> relays;
  private final Executor callbackExecutor;

  PeerConfig(Path stateDirectory, char[] passphrase, List<RelayAddress> relays, Executor callbackExecutor) {
    this.stateDirectory = Objects.requireNonNull(stateDirectory, "stateDirectory");
    this.passphrase = passphrase == null ? null : passphrase.clone();
    this.relays = List.copyOf(relays);
    if (this.relays.isEmpty()) {
      throw new IllegalArgumentException("at least one relay is needed");
    }
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

  /** The home relay: where this peer's own mailboxes and invitations live. */
  public RelayAddress relay() {
    return relays.get(0);
  }

  /** Every relay the peer connects to at start, the home relay first. */
  public List<RelayAddress> relays() {
    return relays;
  }

  /** Where listeners run; empty for the runtime's own executor. */
  public Optional<Executor> callbackExecutor() {
    return Optional.ofNullable(callbackExecutor);
  }

  @Override
  public String toString() {
    return "PeerConfig[" + stateDirectory + ", relays=" + relays + ", passphrase="
        + (passphrase == null ? "none" : "set") + "]";
  }
}
