package dev.backchannel.netty.runtime;

import dev.backchannel.netty.internal.runtime.Receipt;
import dev.backchannel.netty.internal.runtime.SequenceRange;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * The receipts one contact is owed and has not been sent yet. A receipt rides free on the next
 * user message to that contact; without one, it waits up to {@link #DELAY_MILLIS} so that one
 * receipt envelope covers every message received meanwhile, instead of one envelope (with its
 * ratchet step and its commits on both sides and the relay) per received batch. It goes at once
 * when {@link #MAX_HELD} sequences are held or they need more than one receipt. What is held is
 * written in the contact record with the batch that received it, so a crash delays a receipt but
 * never loses it. Stage-confined.
 */
final class HeldReceipts {
  /** How long a receipt may wait for a user message to ride on. */
  static final long DELAY_MILLIS = 100;
  /** The most sequences held before a receipt goes at once. */
  static final int MAX_HELD = 1024;

  private final TreeSet<Long> held = new TreeSet<>();
  /** {@link #held} as receipts, or null once it changed. */
  private List<Receipt> asReceipts;
  /** Whether {@link #held} changed since {@link #changedSinceWritten()} last said so. */
  private boolean changed;
  private boolean due;
  private boolean timerSet;

  /** Starts from what a contact record holds ({@code unsent_receipts}); at most {@link #MAX_HELD}. */
  HeldReceipts(List<SequenceRange> stored) {
    for (SequenceRange r : stored) {
      for (long s = Math.max(1, r.getFirst()); s <= r.getLast() && held.size() < MAX_HELD; s++) {
        held.add(s);
      }
    }
    due = !held.isEmpty(); // held across a restart: send them with the first batch
  }

  /** Holds a receipt for {@code sequence}. */
  void add(long sequence) {
    if (held.add(sequence)) {
      asReceipts = null;
      changed = true;
    }
  }

  /** Holds receipts for {@code sequences}. */
  void add(Collection<Long> sequences) {
    sequences.forEach(this::add);
  }

  boolean isEmpty() {
    return held.isEmpty();
  }

  /**
   * The receipts to send in this batch, which then stop being held: all of them if a user
   * message goes to the contact in this batch ({@code carrier}), the delay has passed, or too much
   * is held; none otherwise.
   */
  List<Receipt> take(boolean carrier) {
    if (held.isEmpty()) {
      due = false;
      return List.of();
    }
    List<Receipt> receipts = receipts();
    if (!carrier && !due && held.size() < MAX_HELD && receipts.size() == 1) {
      return List.of();
    }
    held.clear();
    asReceipts = null;
    changed = true;
    due = false;
    return receipts;
  }

  /**
   * Whether what is held changed since this last returned true (or since it was read from the
   * record): then the record must be given {@link #ranges()}.
   */
  boolean changedSinceWritten() {
    boolean c = changed;
    changed = false;
    return c;
  }

  /** What is held, as the contact record stores it. */
  List<SequenceRange> ranges() {
    List<SequenceRange> out = new ArrayList<>();
    for (Receipt r : receipts()) {
      out.addAll(r.getRangesList());
    }
    return out;
  }

  private List<Receipt> receipts() {
    if (asReceipts == null) {
      asReceipts = ReceiptRanges.receipts(held);
    }
    return asReceipts;
  }

  /** Whether a timer must be set to send what is held (then call {@link #timerSet()}). */
  boolean needsTimer() {
    return !held.isEmpty() && !timerSet;
  }

  void timerSet() {
    timerSet = true;
  }

  /** The delay has passed: what is still held goes with the next batch. */
  void timerFired() {
    timerSet = false;
    due = !held.isEmpty();
  }
}
