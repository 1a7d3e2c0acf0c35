package dev.backchannel.netty.relay.store;

/**
 * Told of each group commit a {@link MailboxStore} makes (the peer runtime's serial stage reports
 * its state commits the same way): how many operations went into one durable write and how long
 * that write took. The metrics use it for the batch size and commit latency histograms.
 *
 * <p>Called on the store's thread that makes batches durable (the writer thread, or the thread
 * that syncs after it), once the batch is durable and before the operations' futures complete; for
 * a batch whose operations need not wait for the disk (acknowledgements only, in the embedded
 * store), once it is written. An implementation must be quick, must not block and must not throw
 * (what it throws is caught and dropped, the write stays durable).
 *
 * @since 0.1
 */
@FunctionalInterface
public interface CommitListener {
  /** A listener that does nothing. */
  CommitListener NONE = (operations, durationNanos) -> { };

  /**
   * One batch is durable (or, if none of its operations waits for the disk, written).
   *
   * @param operations operations in the batch (at least 1)
   * @param durationNanos how long it took from the start of its write until it was durable (or
   *     written), in nanoseconds
   */
  void committed(int operations, long durationNanos);
}
