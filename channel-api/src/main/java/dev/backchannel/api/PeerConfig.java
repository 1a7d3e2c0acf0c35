package dev.backchannel.api;

import java.nio.file.Path;
import java.time.Duration;
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
  private final Duration networkTimeout;
  private final OutboxLimits outboxLimits;
  private final Object meterRegistry;
  private final byte[] homeRelayAdmissionSecret;

  /** The network timeout when none is set: connect, TLS and one relay round trip. */
  public static final Duration DEFAULT_NETWORK_TIMEOUT = Duration.ofSeconds(30);

  /**
   * Bounds of a peer's outbox: sends waiting for the relay. A send that would pass {@code sends}
   * or {@code bytes} fails at once; one that waited longer than {@code maxAge} fails for certain.
   *
   * @param sends at most this many waiting sends (1..1,000,000)
   * @param bytes at most this many sealed bytes waiting (64 KiB..16 GiB)
   * @param maxAge the longest a send may wait (1 s..365 days)
   */
  public record OutboxLimits(int sends, long bytes, Duration maxAge) {
    /** 10,000 sends, 256 MiB, 7 days. */
    public static final OutboxLimits DEFAULT = new OutboxLimits(10_000, 256L << 20, Duration.ofDays(7));

    /**
     * Checks the bounds.
     *
     * @throws IllegalArgumentException if one is out of range
     */
    public OutboxLimits {
      Objects.requireNonNull(maxAge, "maxAge");
      if (sends < 1 || sends > 1_000_000) {
        throw new IllegalArgumentException("outbox sends must be 1..1,000,000, not " + sends);
      }
      if (bytes < 64 * 1024 || bytes > (16L << 30)) {
        throw new IllegalArgumentException("outbox bytes must be 64 KiB..16 GiB, not " + bytes);
      }
      if (maxAge.compareTo(Duration.ofSeconds(1)) < 0 || maxAge.compareTo(Duration.ofDays(365)) > 0) {
        throw new IllegalArgumentException("outbox age must be 1 s..365 days, not " + maxAge);
      }
    }
  }

  PeerConfig(Path stateDirectory, char[] passphrase, List<RelayAddress> relays, Executor callbackExecutor) {
    this(stateDirectory, passphrase, relays, callbackExecutor, DEFAULT_NETWORK_TIMEOUT, OutboxLimits.DEFAULT);
  }

  PeerConfig(Path stateDirectory, char[] passphrase, List<RelayAddress> relays, Executor callbackExecutor,
      Duration networkTimeout, OutboxLimits outboxLimits) {
    this(stateDirectory, passphrase, relays, callbackExecutor, networkTimeout, outboxLimits, null);
  }

  PeerConfig(Path stateDirectory, char[] passphrase, List<RelayAddress> relays, Executor callbackExecutor,
      Duration networkTimeout, OutboxLimits outboxLimits, Object meterRegistry) {
    this(stateDirectory, passphrase, relays, callbackExecutor, networkTimeout, outboxLimits, meterRegistry, null);
  }

  PeerConfig(Path stateDirectory, char[] passphrase, List<RelayAddress> relays, Executor callbackExecutor,
      Duration networkTimeout, OutboxLimits outboxLimits, Object meterRegistry, byte[] homeRelayAdmissionSecret) {
    this.meterRegistry = meterRegistry;
    this.homeRelayAdmissionSecret = homeRelayAdmissionSecret == null ? null : homeRelayAdmissionSecret.clone();
    this.stateDirectory = Objects.requireNonNull(stateDirectory, "stateDirectory");
    this.passphrase = passphrase == null ? null : passphrase.clone();
    this.relays = List.copyOf(relays);
    if (this.relays.isEmpty()) {
      throw new IllegalArgumentException("at least one relay is needed");
    }
    this.callbackExecutor = callbackExecutor;
    this.networkTimeout = Objects.requireNonNull(networkTimeout, "networkTimeout");
    this.outboxLimits = Objects.requireNonNull(outboxLimits, "outboxLimits");
  }

  /** How long one network step (connect, TLS, a relay round trip) may take before it fails. */
  public Duration networkTimeout() {
    return networkTimeout;
  }

  /** The outbox's bounds. */
  public OutboxLimits outboxLimits() {
    return outboxLimits;
  }

  /**
   * The Micrometer {@code io.micrometer.core.instrument.MeterRegistry} the peer reports to, if
   * one was given ({@link PeerBuilder#meterRegistry(Object)}); typed {@code Object} so that this
   * module needs no Micrometer.
   */
  public Optional<Object> meterRegistry() {
    return Optional.ofNullable(meterRegistry);
  }

  /**
   * The home relay's admission secret, if one was given ({@link
   * PeerBuilder#homeRelayAdmissionSecret}): a copy, which the caller zeroes when done.
   */
  public Optional<byte[]> homeRelayAdmissionSecret() {
    return Optional.ofNullable(homeRelayAdmissionSecret).map(byte[]::clone);
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
