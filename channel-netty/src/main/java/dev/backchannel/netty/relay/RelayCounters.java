package dev.backchannel.netty.relay;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counters of a running relay. Counts only: no ids, no keys. Thread-safe. {@code unwritableClosed}
 * counts connections closed because they stayed unwritable too long (they stopped reading).
 *
 * @since 0.1
 */
public final class RelayCounters {
  final AtomicLong connections = new AtomicLong();
  final AtomicLong connectionsTotal = new AtomicLong();
  final AtomicLong stored = new AtomicLong();
  final AtomicLong delivered = new AtomicLong();
  final AtomicLong acknowledged = new AtomicLong();
  final AtomicLong expired = new AtomicLong();
  final AtomicLong rejected = new AtomicLong();
  final AtomicLong bytesStored = new AtomicLong();
  final AtomicLong unwritableClosed = new AtomicLong();
  /** Requests that came over a connection's rate and waited for it (paced, not refused). */
  final AtomicLong rateLimited = new AtomicLong();

  /** A consistent-enough copy of the counters at one moment. */
  public record Snapshot(
      long connections,
      long connectionsTotal,
      long stored,
      long delivered,
      long acknowledged,
      long expired,
      long rejected,
      long bytesStored,
      long unwritableClosed,
      long rateLimited) {}

  /** The current values. */
  public Snapshot snapshot() {
    return new Snapshot(
        connections.get(), connectionsTotal.get(), stored.get(), delivered.get(),
        acknowledged.get(), expired.get(), rejected.get(), bytesStored.get(),
        unwritableClosed.get(), rateLimited.get());
  }
}
