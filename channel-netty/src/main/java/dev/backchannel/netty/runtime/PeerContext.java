package dev.backchannel.netty.runtime;

import dev.backchannel.api.PeerConfig;
import dev.backchannel.api.spi.StateStore;
import dev.backchannel.crypto.IdentityKeyPair;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;

/**
 * What the runtime's parts share: configuration, the state store, the serial stage, the relay
 * links, the outbox, the identity, the callback executor and a timer. Built once by
 * {@link RuntimePeer}; its parts are thread-safe or stage-confined as each says.
 */
final class PeerContext {
  private final PeerConfig config;
  private final StateStore store;
  private final SerialStage stage;
  private final OutboxLedger outbox;
  private final RelayLinks links;
  private final IdentityKeyPair identity;
  private final Executor callbacks;
  private final Executor linkCallbacks;
  private final ScheduledExecutorService timer;
  private final Conversations conversations = new Conversations();
  private final AgreementBook agreements = new AgreementBook(this);
  private final AgreementEscrow escrow = new AgreementEscrow(this);
  private final PeerCounters counters = new PeerCounters();
  private PeerMetrics metrics;
  private volatile boolean closed;

  PeerContext(PeerConfig config, StateStore store, IdentityKeyPair identity, Executor callbacks,
      Executor linkCallbacks) {
    this.config = config;
    this.store = store;
    this.identity = identity;
    this.callbacks = callbacks;
    this.linkCallbacks = linkCallbacks;
    this.stage = new SerialStage(store);
    this.outbox = new OutboxLedger(config.outboxLimits());
    this.links = new RelayLinks(config.relays(), linkCallbacks, config.networkTimeout(), outbox,
        config.homeRelayAdmissionSecret().map(PeerContext::secret).orElse(null));
    this.timer = Executors.newSingleThreadScheduledExecutor(named("backchannel-peer-timer"));
  }

  /** Takes {@code bytes} (a copy made for it) as a secret and zeroes the array. */
  private static dev.backchannel.crypto.SecretBytes secret(byte[] bytes) {
    try {
      return dev.backchannel.crypto.SecretBytes.copyOf(bytes, dev.backchannel.crypto.InsecureSecretAccess.get());
    } finally {
      java.util.Arrays.fill(bytes, (byte) 0);
    }
  }

  static ThreadFactory named(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  PeerConfig config() {
    return config;
  }

  StateStore store() {
    return store;
  }

  SerialStage stage() {
    return stage;
  }

  OutboxLedger outbox() {
    return outbox;
  }

  RelayLinks links() {
    return links;
  }

  IdentityKeyPair identity() {
    return identity;
  }

  /** Where application listeners and API futures run. */
  Executor callbacks() {
    return callbacks;
  }

  /** Where the links complete their futures (never a Netty event loop). */
  Executor linkCallbacks() {
    return linkCallbacks;
  }

  ScheduledExecutorService timer() {
    return timer;
  }

  Conversations conversations() {
    return conversations;
  }

  AgreementBook agreements() {
    return agreements;
  }

  AgreementEscrow escrow() {
    return escrow;
  }

  PeerCounters counters() {
    return counters;
  }

  /**
   * Binds the peer's meters when the configuration holds a meter registry. {@link PeerMetrics}
   * (the runtime's only class naming Micrometer) is loaded only then.
   *
   * @throws IllegalArgumentException if the registry holds another open peer's meters
   */
  void bindMetrics() {
    Object registry = config.meterRegistry().orElse(null);
    if (registry != null) {
      metrics = PeerMetrics.bind(registry, this);
    }
  }

  /** Removes the peer's meters, if any, from the registry. */
  void unbindMetrics() {
    if (metrics != null) {
      metrics.close();
    }
  }

  boolean closed() {
    return closed;
  }

  void markClosed() {
    closed = true;
  }
}
