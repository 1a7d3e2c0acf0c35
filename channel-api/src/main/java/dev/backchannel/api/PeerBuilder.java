package dev.backchannel.api;

import dev.backchannel.api.error.BackchannelBugException;
import dev.backchannel.api.error.BackchannelException;
import dev.backchannel.api.spi.PeerProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Arrays;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.concurrent.Executor;

/**
 * Builds a {@link Peer}. Setters check their argument at once; {@link #build()} checks that the
 * state directory and the relay are set, then opens the peer through the runtime found by
 * {@link ServiceLoader} (channel-netty on the class path). Not thread-safe.
 *
 * @since 0.1
 */
public final class PeerBuilder {
  private Path stateDirectory;
  private char[] passphrase;
  private final List<RelayAddress> relays = new ArrayList<>();
  private Executor callbackExecutor;
  private Duration networkTimeout = PeerConfig.DEFAULT_NETWORK_TIMEOUT;
  private PeerConfig.OutboxLimits outboxLimits = PeerConfig.OutboxLimits.DEFAULT;
  private Object meterRegistry;
  private byte[] homeRelayAdmissionSecret;
  /** The one type {@link #meterRegistry(Object)} takes, named so that this module needs no Micrometer. */
  static final String METER_REGISTRY = "io.micrometer.core.instrument.MeterRegistry";

  PeerBuilder() {}

  /**
   * How long one network step (connecting with TLS, one relay round trip) may take; default 30 s.
   *
   * @throws IllegalArgumentException unless it is between 100 ms and 10 minutes
   */
  public PeerBuilder networkTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.compareTo(Duration.ofMillis(100)) < 0 || timeout.compareTo(Duration.ofMinutes(10)) > 0) {
      throw new IllegalArgumentException("network timeout must be between 100 ms and 10 minutes");
    }
    this.networkTimeout = timeout;
    return this;
  }

  /** The outbox's bounds (default {@link PeerConfig.OutboxLimits#DEFAULT}). */
  public PeerBuilder outboxLimits(PeerConfig.OutboxLimits limits) {
    this.outboxLimits = Objects.requireNonNull(limits, "limits");
    return this;
  }

  /**
   * Reports this peer's sends, receives, gaps, pending outbox and state commits to a Micrometer
   * {@code io.micrometer.core.instrument.MeterRegistry}, as meters named {@code backchannel.peer.*}
   * (docs/OPERATIONS.md lists them). The parameter is typed {@code Object} so that channel-api
   * depends on nothing: Micrometer stays optional, and a peer built without a registry never
   * loads it. The meters carry no tag and leave the registry when the peer closes; one registry
   * serves one open peer at a time ({@link #build()} refuses a second).
   *
   * @param registry a {@code MeterRegistry}
   * @throws IllegalArgumentException if {@code registry} is not a Micrometer {@code MeterRegistry}
   */
  public PeerBuilder meterRegistry(Object registry) {
    Objects.requireNonNull(registry, "registry");
    for (Class<?> c = registry.getClass(); ; c = c.getSuperclass()) {
      if (c == null) {
        throw new IllegalArgumentException(
            "meterRegistry must be an " + METER_REGISTRY + ", not a " + registry.getClass().getName());
      }
      if (c.getName().equals(METER_REGISTRY)) {
        break;
      }
    }
    this.meterRegistry = registry;
    return this;
  }

  /** Where the peer keeps its state (created if missing). Required. */
  public PeerBuilder stateDirectory(Path directory) {
    this.stateDirectory = Objects.requireNonNull(directory, "directory");
    return this;
  }

  /**
   * Encrypts the state at rest under a key derived from {@code passphrase} with Argon2id. The
   * builder copies it; the caller should clear its array, and the copy is zeroed after use.
   *
   * @throws IllegalArgumentException if it is empty
   */
  public PeerBuilder passphrase(char[] passphrase) {
    Objects.requireNonNull(passphrase, "passphrase");
    if (passphrase.length == 0) {
      throw new IllegalArgumentException("passphrase must not be empty");
    }
    if (this.passphrase != null) {
      Arrays.fill(this.passphrase, '\0');
    }
    this.passphrase = passphrase.clone();
    return this;
  }

  /**
   * A relay this peer uses. The first one given is its home relay, where its own mailboxes and
   * invitations live; others are connected at start too. Contacts may live on other relays: their
   * addresses (with pinned keys) arrive inside the encrypted session. At least one is required.
   */
  public PeerBuilder relay(RelayAddress relay) {
    Objects.requireNonNull(relay, "relay");
    if (!relays.contains(relay)) {
      relays.add(relay);
    }
    return this;
  }

  /**
   * The admission secret of the home relay (the first {@link #relay}), for a relay whose operator
   * lets only holders of the secret create mailboxes and invitations (docs/PROTOCOL.md,
   * "Admission"). The peer proves it on each connection without sending it; a copy is kept, the
   * caller's array is not changed. Without it, such a relay refuses this peer's invitations with
   * {@link dev.backchannel.api.error.RelayErrorCode#ADMISSION_REQUIRED}; sending to contacts on it
   * needs no secret.
   *
   * @throws IllegalArgumentException unless the secret is 16..64 bytes
   */
  public PeerBuilder homeRelayAdmissionSecret(byte[] secret) {
    Objects.requireNonNull(secret, "secret");
    if (secret.length < 16 || secret.length > 64) {
      throw new IllegalArgumentException("an admission secret is 16..64 bytes, got " + secret.length);
    }
    if (homeRelayAdmissionSecret != null) {
      Arrays.fill(homeRelayAdmissionSecret, (byte) 0);
    }
    this.homeRelayAdmissionSecret = secret.clone();
    return this;
  }

  /** Where listeners run (default: a single thread of the runtime's own). Never a network thread. */
  public PeerBuilder callbackExecutor(Executor executor) {
    this.callbackExecutor = Objects.requireNonNull(executor, "executor");
    return this;
  }

  /**
   * Opens the peer, creating its identity on first use.
   *
   * @throws IllegalStateException if the state directory or the relay is not set
   * @throws IllegalArgumentException if the meter registry already holds another open peer's meters
   * @throws dev.backchannel.api.error.StateStoreException if the state cannot be opened, or the
   *     passphrase is wrong or missing
   * @throws BackchannelException for other failures
   */
  public Peer build() throws BackchannelException {
    if (stateDirectory == null) {
      throw new IllegalStateException("stateDirectory is required");
    }
    if (relays.isEmpty()) {
      throw new IllegalStateException("relay is required");
    }
    PeerProvider provider = ServiceLoader.load(PeerProvider.class).findFirst()
        .orElseThrow(() -> new BackchannelBugException(
            "no Backchannel runtime found: put channel-netty on the class path"));
    PeerConfig config = new PeerConfig(stateDirectory, passphrase, relays, callbackExecutor,
        networkTimeout, outboxLimits, meterRegistry, homeRelayAdmissionSecret);
    if (homeRelayAdmissionSecret != null) {
      Arrays.fill(homeRelayAdmissionSecret, (byte) 0);
      homeRelayAdmissionSecret = null;
    }
    if (passphrase != null) {
      Arrays.fill(passphrase, '\0');
      passphrase = null;
    }
    try {
      return provider.open(config);
    } finally {
      config.clearPassphrase();
    }
  }
}
