package dev.backchannel.netty.runtime;

import dev.backchannel.api.error.BackchannelException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the peer's outbox in step with its state: an entry that leaves the outbox has its record
 * deleted with a later batch (and a retiring send mailbox it drained is looked at again), and
 * sends older than the outbox's age limit are given up on a timer, so their futures fail for
 * certain.
 */
final class OutboxUpkeep {
  private static final Logger LOG = LoggerFactory.getLogger(OutboxUpkeep.class);
  /** The longest interval between two sweeps for sends past their age. */
  static final Duration SWEEP = Duration.ofSeconds(30);

  private final PeerContext peer;

  OutboxUpkeep(PeerContext peer) {
    this.peer = peer;
    peer.outbox().onRemoved(this::removed);
  }

  /** Starts the sweep: every quarter of the age limit, at least every 200 ms, at most {@link #SWEEP}. */
  void start() {
    long every = Math.max(200, Math.min(SWEEP.toMillis(), peer.config().outboxLimits().maxAge().toMillis() / 4));
    peer.timer().scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.MILLISECONDS);
  }

  /** An entry left the outbox: its record goes with a later batch; a mailbox may now retire. */
  private void removed(OutboxLedger.Entry e) {
    boolean drained = peer.outbox().pendingForMailbox(e.mailboxId()) == 0;
    peer.stage().later(tx -> {
      tx.delete(StateKeys.outbox(e.messageId()));
      if (drained) {
        peer.conversations().byId(e.contactId()).ifPresent(c -> {
          if (!c.session().record().getRetiringSendMailbox().isEmpty()) {
            tx.touch(c.session());
          }
        });
      }
      return null;
    });
  }

  /** Gives up sends older than the outbox's age limit (timer thread). */
  private void sweep() {
    long cutoff = System.currentTimeMillis() - peer.config().outboxLimits().maxAge().toMillis();
    for (OutboxLedger.Entry e : peer.outbox().olderThan(cutoff)) {
      try {
        peer.links().get(e.relay()).cancel(e.messageId());
      } catch (BackchannelException | RuntimeException ex) {
        LOG.debug("giving up an old send failed: {}", ex.toString());
      }
    }
  }
}
