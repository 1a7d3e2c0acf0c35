package dev.backchannel.netty.relay;

import dev.backchannel.netty.relay.store.CommitListener;
import dev.backchannel.netty.relay.store.MailboxStore;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A running relay's counters as Micrometer meters, named {@code backchannel.relay.*} (in
 * Prometheus {@code backchannel_relay_*}; docs/OPERATIONS.md lists each). The counters and gauges
 * read the relay's own {@link RelayCounters} when the registry is scraped, so nothing is counted
 * twice; the store's batch size and commit latency are recorded through its
 * {@link CommitListener} (a store that does not batch leaves those two histograms empty). Tags
 * carry only the refusal reason: never an id, key or address.
 *
 * <pre>{@code
 * PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
 * try (RelayServer relay = RelayServer.start(config);
 *      RelayMetrics metrics = RelayMetrics.bind(registry, relay)) {
 *   ... serve registry.scrape() ...
 * }
 * }</pre>
 *
 * <p>Micrometer is an optional dependency of channel-netty: this class is the relay's only one
 * that names it, and nothing loads it unless the application calls {@link #bind}. Thread-safe;
 * {@link #close()} is idempotent.
 *
 * @since 0.1
 */
public final class RelayMetrics implements AutoCloseable {
  /** Prefix of every meter name. */
  public static final String PREFIX = "backchannel.relay.";

  private final MeterRegistry registry;
  private final MailboxStore store;
  private final List<Meter> meters = new ArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  private RelayMetrics(MeterRegistry registry, MailboxStore store) {
    this.registry = registry;
    this.store = store;
  }

  /**
   * Registers the relay's meters in {@code registry}; they stay until {@link #close()}.
   *
   * @throws IllegalArgumentException if {@code registry} already holds the meters of another
   *     relay (give each relay its own registry: the meters carry no relay tag)
   */
  public static RelayMetrics bind(MeterRegistry registry, RelayServer relay) {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(relay, "relay");
    if (registry.find(PREFIX + "connections.open").meter() != null) {
      throw new IllegalArgumentException(
          "this MeterRegistry already holds the meters of a relay; give each relay its own registry");
    }
    RelayMetrics m = new RelayMetrics(registry, relay.store());
    m.register(relay.liveCounters());
    return m;
  }

  private void register(RelayCounters c) {
    meters.add(Gauge.builder(PREFIX + "connections.open", c.connections, AtomicLong::get)
        .description("Connections open now").strongReference(true).register(registry));
    counter("connections.accepted", c.connectionsTotal, null, "Connections admitted since start");
    counter("connections.unwritable.closed", c.unwritableClosed, null,
        "Connections closed because they stopped reading replies");
    counter("envelopes.stored", c.stored, null, "Envelopes stored durably (duplicates not counted)");
    counter("envelopes.delivered", c.delivered, null, "Envelopes pushed to a subscribed recipient");
    counter("envelopes.acknowledged", c.acknowledged, null, "Envelopes removed by the recipient's acknowledgement");
    counter("expired", c.expired, null,
        "Rows the expiry sweep deleted: envelopes, invitation bundles, tombstones, idle mailboxes");
    counter("stored", c.bytesStored, "bytes", "Envelope body bytes stored durably");
    counter("requests.paced", c.rateLimited, null, "Requests over a connection's rate that waited for it");
    for (RelayCounters.Refusal r : RelayCounters.Refusal.values()) {
      meters.add(FunctionCounter.builder(PREFIX + "refusals", c, x -> x.refusals(r))
          .tag("reason", r.tag()).description("Requests and connections refused, by reason")
          .register(registry));
    }
    if (store.storedBytes() >= 0) {
      meters.add(Gauge.builder(PREFIX + "store.held", store, MailboxStore::storedBytes).baseUnit("bytes")
          .description("Bytes of envelope bodies and invitation bundles the store holds now")
          .strongReference(true).register(registry));
    }
    DistributionSummary batch = DistributionSummary.builder(PREFIX + "store.batch")
        .baseUnit("operations").description("Operations in one group commit of the store")
        .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256, 512).register(registry);
    Timer commit = Timer.builder(PREFIX + "store.commit")
        .description("Time from the start of one batch's write until it is durable (written, for a batch of acknowledgements only)")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(100_000))
        .maximumExpectedValue(Duration.ofSeconds(10)).register(registry);
    meters.add(batch);
    meters.add(commit);
    store.commitListener((operations, nanos) -> {
      batch.record(operations);
      commit.record(nanos, TimeUnit.NANOSECONDS);
    });
  }

  private void counter(String name, AtomicLong value, String unit, String description) {
    FunctionCounter.Builder<AtomicLong> b = FunctionCounter.builder(PREFIX + name, value, AtomicLong::get)
        .description(description);
    if (unit != null) {
      b.baseUnit(unit);
    }
    meters.add(b.register(registry));
  }

  /** Removes the meters from the registry and stops listening to the store. Idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      store.commitListener(CommitListener.NONE);
      meters.forEach(registry::remove);
    }
  }
}
