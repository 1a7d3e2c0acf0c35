package dev.backchannel.netty.runtime;

import dev.backchannel.api.error.BackchannelException;
import dev.backchannel.api.error.StateStoreException;
import dev.backchannel.api.spi.StateStore;
import dev.backchannel.netty.relay.store.CommitListener;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The peer's serial stage with group commit: one thread takes whatever is queued (sends, received
 * envelopes, receipts, acknowledgements, API calls) and runs it against one
 * {@link StateTransaction}; the changed sessions are serialized once; one synced commit makes the
 * whole batch durable; only then are the batch's futures completed and its envelopes and
 * acknowledgements handed on. It never waits on the network.
 *
 * <p>The queue of outside work is bounded ({@link #CAPACITY}): a full queue blocks the submitter,
 * never a Netty event loop (those use {@link #later} and {@link #submitDelivery}, which are bounded
 * by the outbox, the inbox and the links' backpressure).
 * If a commit fails, every future of the batch fails with {@link StateStoreException}, the
 * sessions it touched are reloaded from the store, and nothing of it is acknowledged.
 */
final class SerialStage {
  private static final Logger LOG = LoggerFactory.getLogger(SerialStage.class);
  /** Most units of outside work waiting. */
  static final int CAPACITY = 8192;
  /** Most units in one batch. */
  static final int MAX_BATCH = 1024;

  /** One unit of work; runs on the stage thread. Throws before it writes anything if it fails. */
  interface Step<T> {
    T run(StateTransaction tx) throws Exception;
  }

  private record Work<T>(Step<T> step, CompletableFuture<T> result, boolean delivery) {}

  private final StateStore store;
  private final BlockingQueue<Work<?>> queue = new ArrayBlockingQueue<>(CAPACITY);
  private final ConcurrentLinkedQueue<Work<?>> internal = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queuedDeliveries = new AtomicInteger();
  private final Thread thread;
  private volatile boolean stopping;
  /** The stage thread is (about to be) waiting on {@link #queue}. */
  private volatile boolean waiting;
  private volatile Runnable afterBatch = () -> { };
  private final CompletableFuture<Void> stopped = new CompletableFuture<>();
  private volatile long commits;
  private volatile long units;
  private volatile CommitListener commitListener = CommitListener.NONE;

  SerialStage(StateStore store) {
    this.store = store;
    this.thread = new Thread(this::loop, "backchannel-peer");
    this.thread.setDaemon(true);
  }

  void start(Runnable afterEachBatch) {
    this.afterBatch = afterEachBatch;
    thread.start();
  }

  boolean onStageThread() {
    return Thread.currentThread() == thread;
  }

  /** Queues {@code step}; the future completes after the batch holding it is durable. */
  <T> CompletableFuture<T> submit(Step<T> step) {
    return enqueue(step);
  }

  /**
   * Queues the processing of a received envelope without ever blocking (it is called on the link's
   * I/O thread); counted for backpressure, which bounds it: above a high-water mark the links stop
   * reading ({@link DeliveryRouter}). Dropped once the stage stops: unacknowledged, the envelope is
   * delivered again by the relay.
   */
  void submitDelivery(Step<Void> step) {
    if (stopping) {
      return;
    }
    queuedDeliveries.incrementAndGet();
    internal.add(new Work<>(step, new CompletableFuture<>(), true));
    wake();
  }

  /** How many received envelopes wait for the stage. */
  int queuedDeliveries() {
    return queuedDeliveries.get();
  }

  /** Queues follow-up work without ever blocking (for event loops and the stage itself). */
  <T> CompletableFuture<T> later(Step<T> step) {
    CompletableFuture<T> f = new CompletableFuture<>();
    if (stopping && !onStageThread()) {
      f.completeExceptionally(new StateStoreException("peer is closed"));
      return f;
    }
    internal.add(new Work<>(step, f, false));
    wake();
    return f;
  }

  /**
   * Wakes the stage for work just added to {@link #internal}, if it may be waiting on the outside
   * queue. The stage says it waits before it looks at {@code internal} a last time, and this looks
   * at that after adding: so either the stage sees the work or this sees it waiting.
   */
  private void wake() {
    if (waiting) {
      queue.offer(new Work<>(tx -> null, new CompletableFuture<>(), false)); // refused only when full: then it is awake
    }
  }

  /** Runs {@code step} and waits for its batch to be durable. */
  <T> T call(Step<T> step) throws BackchannelException {
    if (onStageThread()) {
      throw new IllegalStateException("call() on the stage thread would wait for itself");
    }
    try {
      return submit(step).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StateStoreException("interrupted");
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof BackchannelException b) {
        throw b;
      }
      if (c instanceof RuntimeException r) {
        throw r;
      }
      throw new StateStoreException("peer operation failed", c);
    }
  }

  private <T> CompletableFuture<T> enqueue(Step<T> step) {
    CompletableFuture<T> f = new CompletableFuture<>();
    if (stopping) {
      f.completeExceptionally(new StateStoreException("peer is closed"));
      return f;
    }
    try {
      queue.put(new Work<>(step, f, false));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      f.completeExceptionally(new StateStoreException("interrupted"));
    }
    return f;
  }

  /** Stops taking work, finishes what is queued, then stops; the future completes then. */
  CompletableFuture<Void> stop() {
    stopping = true;
    queue.offer(new Work<>(tx -> null, new CompletableFuture<>(), false));
    return stopped;
  }

  /** Tells {@code l} of each synced commit from now on ({@link CommitListener#NONE} to stop). */
  void commitListener(CommitListener l) {
    this.commitListener = java.util.Objects.requireNonNull(l, "listener");
  }

  /** Batches committed and units of work run so far. */
  record Counters(long commits, long units) {}

  /** Batches committed and units of work run so far (for tests and benchmarks). */
  Counters counters() {
    return new Counters(commits, units);
  }

  private void loop() {
    List<Work<?>> batch = new ArrayList<>(MAX_BATCH);
    try {
      while (true) {
        Work<?> first = internal.poll();
        if (first == null) {
          first = queue.poll();
        }
        if (first == null) {
          waiting = true;
          first = internal.poll();
          if (first == null) {
            first = queue.poll(stopping ? 0 : 200, TimeUnit.MILLISECONDS);
          }
          waiting = false;
        }
        if (first == null) {
          if (stopping && queue.isEmpty() && internal.isEmpty()) {
            break;
          }
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, MAX_BATCH - batch.size());
        for (Work<?> w; batch.size() < MAX_BATCH && (w = internal.poll()) != null; ) {
          batch.add(w);
        }
        runBatch(batch);
        batch.clear();
        afterBatch.run();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      LOG.error("the peer's serial stage stopped: {}", e.toString());
    } finally {
      failQueued();
      stopped.complete(null);
    }
  }

  private void failQueued() {
    StateStoreException closed = new StateStoreException("peer is closed");
    for (Work<?> w; (w = queue.poll()) != null || (w = internal.poll()) != null; ) {
      w.result().completeExceptionally(closed);
    }
  }

  private void runBatch(List<Work<?>> batch) {
    StateTransaction tx = new StateTransaction();
    List<Runnable> completions = new ArrayList<>(batch.size());
    List<Work<?>> ran = new ArrayList<>(batch.size());
    for (Work<?> w : batch) {
      if (w.delivery()) {
        queuedDeliveries.decrementAndGet();
      }
      run(w, tx, completions, ran);
    }
    try {
      for (ContactSession s : new ArrayList<>(tx.touched())) {
        s.prepareCommit(tx);
      }
      if (!tx.puts().isEmpty() || !tx.deletes().isEmpty()) {
        long start = System.nanoTime();
        store.commit(tx.puts(), tx.deletes());
        long nanos = System.nanoTime() - start;
        commits++;
        try {
          commitListener.committed(batch.size(), nanos);
        } catch (RuntimeException e) {
          LOG.warn("a commit listener failed: {}", e.toString());
        }
      }
      units += batch.size();
    } catch (BackchannelException | RuntimeException e) {
      LOG.warn("a state commit of {} units failed: {}", batch.size(), e.toString());
      StateStoreException failure = e instanceof StateStoreException s ? s
          : new StateStoreException("storing the state failed", e);
      for (ContactSession s : tx.touched()) {
        s.reload();
      }
      for (Runnable r : tx.failureActions()) {
        safely(r);
      }
      for (Work<?> w : ran) {
        w.result().completeExceptionally(failure);
      }
      return;
    }
    for (Runnable r : tx.afterCommitActions()) {
      safely(r);
    }
    for (Runnable r : completions) {
      r.run();
    }
  }

  private static <T> void run(Work<T> w, StateTransaction tx, List<Runnable> completions, List<Work<?>> ran) {
    try {
      T value = w.step().run(tx);
      ran.add(w);
      completions.add(() -> w.result().complete(value));
    } catch (Exception e) {
      w.result().completeExceptionally(e);
    }
  }

  private static void safely(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      LOG.warn("a post-commit action failed: {}", e.toString());
    }
  }
}
