package dev.backchannel.netty.runtime;

import dev.backchannel.netty.relay.store.CommitListener;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A peer's {@link PeerCounters}, outbox and state commits as Micrometer meters named
 * {@code backchannel.peer.*} (Prometheus {@code backchannel_peer_*}; docs/OPERATIONS.md lists
 * each). Loaded only when {@code PeerBuilder.meterRegistry} was given: without Micrometer on the
 * class path the runtime never names it. No tag: nothing about contacts or mailboxes.
 */
final class PeerMetrics {
  static final String PREFIX = "backchannel.peer.";

  private final MeterRegistry registry;
  private final SerialStage stage;
  private final List<Meter> meters = new ArrayList<>();

  private PeerMetrics(MeterRegistry registry, SerialStage stage) {
    this.registry = registry;
    this.stage = stage;
  }

  /**
   * Registers the meters of {@code peer} in {@code registry} (a MeterRegistry, checked by the
   * builder).
   *
   * @throws IllegalArgumentException if the registry already holds another open peer's meters
   */
  static PeerMetrics bind(Object registry, PeerContext peer) {
    MeterRegistry r = (MeterRegistry) registry;
    if (r.find(PREFIX + "outbox.pending").meter() != null) {
      throw new IllegalArgumentException("this MeterRegistry already holds the meters of an open Peer; "
          + "give each Peer its own registry");
    }
    PeerMetrics m = new PeerMetrics(r, peer.stage());
    m.register(peer);
    return m;
  }

  private void register(PeerContext peer) {
    PeerCounters c = peer.counters();
    counter("messages.sent", c.sent, "Messages the relay holds durably (the send completed)");
    counter("messages.send.failed", c.sendFailures, "Sends that failed (outbox full, too old, refused)");
    counter("messages.received", c.received, "Messages received, each counted once");
    counter("gaps", c.gaps, "Gaps seen: messages of a contact that were skipped");
    counter("gaps.messages", c.missing, "Messages the gaps left out");
    OutboxLedger outbox = peer.outbox();
    meters.add(Gauge.builder(PREFIX + "outbox.pending", outbox, OutboxLedger::size)
        .description("Envelopes waiting in the outbox for their relay").strongReference(true).register(registry));
    DistributionSummary batch = DistributionSummary.builder(PREFIX + "stage.batch").baseUnit("units")
        .description("Units of work in one committed batch of the serial stage")
        .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024).register(registry);
    Timer commit = Timer.builder(PREFIX + "stage.commit").description("Duration of one synced state commit")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(100_000))
        .maximumExpectedValue(Duration.ofSeconds(10)).register(registry);
    meters.add(batch);
    meters.add(commit);
    stage.commitListener((units, nanos) -> {
      batch.record(units);
      commit.record(nanos, TimeUnit.NANOSECONDS);
    });
  }

  private void counter(String name, AtomicLong value, String description) {
    meters.add(FunctionCounter.builder(PREFIX + name, value, AtomicLong::get).description(description)
        .register(registry));
  }

  /** Removes the meters; the peer is closing. */
  void close() {
    stage.commitListener(CommitListener.NONE);
    meters.forEach(registry::remove);
  }
}
