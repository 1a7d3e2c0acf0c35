package dev.backchannel.netty.runtime;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What a peer counts about its own traffic: user messages sent (durable at the relay) and failed,
 * user messages received, and gaps seen. Counts only: no contact, id or text. Thread-safe; kept
 * whether or not a meter registry reads them ({@link PeerMetrics}).
 */
final class PeerCounters {
  final AtomicLong sent = new AtomicLong();
  final AtomicLong sendFailures = new AtomicLong();
  final AtomicLong received = new AtomicLong();
  final AtomicLong gaps = new AtomicLong();
  final AtomicLong missing = new AtomicLong();

  /** One send finished: held by the relay, or failed. */
  void sendFinished(boolean ok) {
    (ok ? sent : sendFailures).incrementAndGet();
  }

  /** What one processed envelope brought. */
  void arrived(InboundMessages.Result r) {
    if (r.message() != null) {
      received.incrementAndGet();
    }
    if (r.gap() != null) {
      gaps.incrementAndGet();
      missing.addAndGet(r.gap().to() - r.gap().from() + 1);
    }
  }
}
