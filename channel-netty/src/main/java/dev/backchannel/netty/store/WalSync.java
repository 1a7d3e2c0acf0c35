package dev.backchannel.netty.store;

import dev.backchannel.api.error.StateStoreException;
import dev.backchannel.netty.relay.store.CommitListener;
import dev.backchannel.netty.relay.store.StorageFullException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes written batches durable, then completes them: the second half of the store's group
 * commit. The writer thread writes each batch to RocksDB without {@code sync} and hands it here;
 * this class's one thread takes every batch handed so far, syncs the write-ahead log once for all
 * of them ({@code SyncWAL}, which does not block writes on other threads) and only then tells the
 * {@link CommitListener} and completes the batches' futures, in the order they were written. So
 * the writer stages and writes the next batch while the disk syncs the last one, and one sync
 * covers every batch written meanwhile.
 *
 * <p>A batch's writes are visible to reads before they are durable; nothing handed here is
 * acknowledged before the sync that covers it has returned, and a sync covers every batch written
 * before it (the write-ahead log is one ordered file). A batch none of whose steps waits for the
 * disk (acknowledgements only) is not handed here: the writer completes it through {@link
 * #completeWritten}, and the next sync makes it durable. If the sync fails, every batch it would have covered fails
 * with {@link StateStoreException} ({@link StorageFullException} for want of space): not known to
 * be durable. At most {@link #MAX_WRITTEN} batches wait for a sync; beyond them {@link #handOff}
 * blocks the writer. Thread-safe.
 */
final class WalSync {
  /** Most written batches waiting for their sync. */
  static final int MAX_WRITTEN = 64;
  private static final Logger LOG = LoggerFactory.getLogger(WalSync.class);

  /** Syncs the write-ahead log: everything written before the call is durable when it returns. */
  @FunctionalInterface
  interface Syncer {
    void sync() throws Exception;
  }

  /**
   * One batch written and not yet durable: its operations' futures, what completes them once the
   * batch is durable, and when its write began.
   */
  record Written(List<CompletableFuture<?>> futures, List<Runnable> completions, long startNanos) {}

  private final Syncer syncer;
  private final BlockingQueue<Written> written = new ArrayBlockingQueue<>(MAX_WRITTEN);
  private final Object idle = new Object();
  private final Thread thread;
  private volatile CommitListener listener = CommitListener.NONE;
  private volatile boolean closed;
  private int inFlight; // guarded by idle: batches handed off and not yet completed

  WalSync(Syncer syncer) {
    this.syncer = Objects.requireNonNull(syncer, "syncer");
    thread = new Thread(this::loop, "backchannel-store-sync");
    thread.setDaemon(true);
    thread.start();
  }

  void listener(CommitListener l) {
    this.listener = Objects.requireNonNull(l, "listener");
  }

  /** Writer thread: {@code w} has been written; waits only while {@link #MAX_WRITTEN} batches wait. */
  void handOff(Written w) throws InterruptedException {
    synchronized (idle) {
      inFlight++;
    }
    written.put(w);
  }

  /**
   * Writer thread: completes a written batch that needs no sync at once (its steps' loss to a
   * power failure is only work done again), telling the listener its time from the start of the
   * write.
   */
  void completeWritten(int operations, long startNanos, List<Runnable> completions) {
    committed(operations, System.nanoTime() - startNanos);
    completions.forEach(Runnable::run);
  }

  private void committed(int operations, long nanos) {
    try {
      listener.committed(operations, nanos);
    } catch (RuntimeException e) {
      LOG.warn("a commit listener failed: {}", e.toString());
    }
  }

  /** Waits until every batch handed off has been synced and completed (or failed). */
  void awaitIdle() throws InterruptedException {
    awaitIdle(Long.MAX_VALUE);
  }

  private void awaitIdle(long deadlineMillis) throws InterruptedException {
    synchronized (idle) {
      while (inFlight > 0 && System.currentTimeMillis() < deadlineMillis) {
        idle.wait(100);
      }
    }
  }

  private void loop() {
    List<Written> group = new ArrayList<>(MAX_WRITTEN);
    while (true) {
      try {
        Written first = written.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          if (closed) {
            return;
          }
          continue;
        }
        group.add(first);
        written.drainTo(group);
        sync(group);
      } catch (InterruptedException e) {
        return;
      } finally {
        synchronized (idle) {
          inFlight -= group.size();
          idle.notifyAll();
        }
        group.clear();
      }
    }
  }

  private void sync(List<Written> group) {
    try {
      syncer.sync();
    } catch (Exception e) {
      LOG.error("mailbox store sync of {} batches failed: {}", group.size(), e.toString());
      StateStoreException failure = StoreFailures.isNoSpace(e)
          ? new StorageFullException("mailbox store is out of disk space", e)
          : new StateStoreException("mailbox store sync failed", e);
      for (Written w : group) {
        w.futures().forEach(f -> f.completeExceptionally(failure));
      }
      return;
    }
    long now = System.nanoTime();
    for (Written w : group) {
      committed(w.futures().size(), now - w.startNanos());
      w.completions().forEach(Runnable::run);
    }
  }

  /** Completes what was handed off (at most 10 s), then stops the thread. */
  void close() {
    try {
      awaitIdle(System.currentTimeMillis() + 10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closed = true;
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Written w; (w = written.poll()) != null; ) {
      w.futures().forEach(f -> f.completeExceptionally(new StateStoreException("mailbox store is closed")));
    }
  }
}
