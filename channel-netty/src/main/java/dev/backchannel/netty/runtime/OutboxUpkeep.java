package dev.backchannel.netty.runtime;

import dev.backchannel.api.error.BackchannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the peer's outbox in step with its state: an entry that leaves the outbox has its record
 * deleted with a later batch, at most {@link #DELETE_DELAY} later (and a retiring send mailbox it
 * drained is looked at again), and sends older than the outbox's age limit are given up on a
 * timer, so their futures fail for certain.
 */
final class OutboxUpkeep {
  private static final Logger LOG = LoggerFactory.getLogger(OutboxUpkeep.class);
  /** The longest interval between two sweeps for sends past their age. */
  static final Duration SWEEP = Duration.ofSeconds(30);

  /** How long the record of an entry that left the outbox may wait for its delete. */
  static final Duration DELETE_DELAY = Duration.ofMillis(100);
  /** The most such records waiting before they are deleted at once. */
  static final int MAX_HELD_DELETES = 1024;

  private final PeerContext peer;
  private final ConcurrentLinkedQueue<OutboxLedger.Entry> removedEntries = new ConcurrentLinkedQueue<>();
  private final AtomicInteger heldDeletes = new AtomicInteger();
  private final AtomicBoolean deleteScheduled = new AtomicBoolean();

  OutboxUpkeep(PeerContext peer) {
    this.peer = peer;
    peer.outbox().onRemoved(this::removed);
  }

  /** Starts the sweep: every quarter of the age limit, at least every 200 ms, at most {@link #SWEEP}. */
  void start() {
    long every = Math.max(200, Math.min(SWEEP.toMillis(), peer.config().outboxLimits().maxAge().toMillis() / 4));
    peer.timer().scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.MILLISECONDS);
  }

  /**
   * An entry left the outbox: its record is deleted with one batch per {@link #DELETE_DELAY}
   * (or at once past {@link #MAX_HELD_DELETES}), not a synced commit of its own per message. A
   * crash in between only means the relay is sent the envelope again, under the same message id,
   * which it recognizes; a mailbox may now retire.
   */
  private void removed(OutboxLedger.Entry e) {
    removedEntries.add(e);
    if (heldDeletes.incrementAndGet() >= MAX_HELD_DELETES) {
      deleteRemoved();
    } else if (deleteScheduled.compareAndSet(false, true)) {
      try {
        peer.timer().schedule(this::deleteRemoved, DELETE_DELAY.toMillis(), TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException closing) {
        deleteScheduled.set(false); // closing: the records stay; the relay recognizes a resend
      }
    }
  }

  /** Deletes the records of every entry that left the outbox so far, in one batch. */
  private void deleteRemoved() {
    deleteScheduled.set(false);
    List<OutboxLedger.Entry> batch = new ArrayList<>();
    for (OutboxLedger.Entry e; (e = removedEntries.poll()) != null; ) {
      batch.add(e);
    }
    if (batch.isEmpty()) {
      return;
    }
    heldDeletes.addAndGet(-batch.size());
    peer.stage().later(tx -> {
      for (OutboxLedger.Entry e : batch) {
        tx.delete(StateKeys.outbox(e.messageId()));
        if (peer.outbox().pendingForMailbox(e.mailboxId()) == 0) {
          peer.conversations().byId(e.contactId()).ifPresent(c -> {
            if (!c.session().record().getRetiringSendMailbox().isEmpty()) {
              tx.touch(c.session());
            }
          });
        }
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
