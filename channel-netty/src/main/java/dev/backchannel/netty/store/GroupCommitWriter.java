package dev.backchannel.netty.store;

import dev.backchannel.api.error.QuotaExceededException;
import dev.backchannel.api.error.StateStoreException;
import dev.backchannel.netty.relay.store.CommitListener;
import dev.backchannel.netty.relay.store.StorageFullException;
import dev.backchannel.netty.relay.store.StoreRefusedException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's single writer: one thread takes every queued step (up to {@link #MAX_BATCH}) into
 * one {@link StagedBatch}, writes it (without {@code sync}) and hands it to {@link WalSync}, which
 * completes the steps' futures once a sync of the write-ahead log has made the batch durable; the
 * writer meanwhile goes on with the next batch. A step that refuses (quota, lifecycle) fails alone
 * and writes nothing, and its refusal too is told only after the sync (it was decided on writes of
 * earlier batches that may not be durable yet). A failed write fails every step of its batch with
 * {@link StateStoreException} and rolls the ledger back. The queue is bounded ({@link
 * #MAX_PENDING}); beyond it a step fails at once with a retryable error. A batch of steps that
 * need not wait for the disk ({@link #submitUnsynced}) completes as soon as it is written.
 */
final class GroupCommitWriter {
  static final int MAX_BATCH = 512;
  static final int MAX_PENDING = 16_384;
  private static final Logger LOG = LoggerFactory.getLogger(GroupCommitWriter.class);

  /** One operation of the writer; runs on the writer thread against the batch of its group. */
  @FunctionalInterface
  interface Step<T> {
    T apply(StagedBatch batch, UsageLedger ledger) throws Exception;
  }

  /** @param durable whether its future waits for the sync that makes its batch durable */
  private record Queued<T>(Step<T> step, CompletableFuture<T> done, boolean durable) {
    void run(StagedBatch batch, UsageLedger ledger, List<CompletableFuture<?>> futures, List<Runnable> completions) {
      futures.add(done);
      try {
        T v = step.apply(batch, ledger);
        completions.add(() -> done.complete(v));
      } catch (QuotaExceededException | StoreRefusedException e) {
        completions.add(() -> done.completeExceptionally(e));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private final StoreDatabase db;
  private final WriteOptions write;
  private final UsageLedger ledger;
  private final WalSync sync;
  private final BlockingQueue<Queued<?>> queue = new ArrayBlockingQueue<>(MAX_PENDING);
  private final Thread thread;
  private volatile boolean closed;

  /**
   * A writer of {@code db} that writes with {@code write} (unsynced) and leaves durability to
   * {@code sync}, whose syncer syncs {@code db}'s write-ahead log.
   */
  GroupCommitWriter(StoreDatabase db, WriteOptions write, UsageLedger ledger, WalSync sync) {
    this.db = db;
    this.write = write;
    this.ledger = ledger;
    this.sync = sync;
    thread = new Thread(this::loop, "backchannel-store-writer");
    thread.setDaemon(true);
    thread.start();
  }

  /** Queues {@code step}; the future completes once its batch is durable. Never blocks. */
  <T> CompletableFuture<T> submit(Step<T> step) {
    return submit(step, true);
  }

  /**
   * Queues {@code step}, whose future completes once its batch is written (visible to every later
   * read) rather than durable, unless the batch also holds a step that waits for the sync: it
   * becomes durable with the next sync. For steps whose loss to a power failure costs only work
   * done again (removals of delivered envelopes: a lost removal is a redelivery the recipient
   * drops as a duplicate). Never blocks.
   */
  <T> CompletableFuture<T> submitUnsynced(Step<T> step) {
    return submit(step, false);
  }

  private <T> CompletableFuture<T> submit(Step<T> step, boolean durable) {
    CompletableFuture<T> done = new CompletableFuture<>();
    if (closed) {
      done.completeExceptionally(new StateStoreException("mailbox store is closed"));
    } else if (!queue.offer(new Queued<>(step, done, durable))) {
      done.completeExceptionally(new StateStoreException("mailbox store is overloaded"));
    }
    return done;
  }

  /** Queues {@code step} and waits for it (at most 60 s). */
  <T> T await(Step<T> step) throws StateStoreException, StoreRefusedException {
    try {
      return submit(step).get(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StateStoreException("interrupted while writing the mailbox store");
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof StateStoreException s) {
        throw s;
      }
      if (e.getCause() instanceof StoreRefusedException r) {
        throw r;
      }
      throw new StateStoreException("mailbox store write failed", e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new StateStoreException("mailbox store write timed out");
    }
  }

  /** Tells {@code l} of each durable batch from now on. */
  void listener(CommitListener l) {
    sync.listener(l);
  }

  int pending() {
    return queue.size();
  }

  private void loop() {
    List<Queued<?>> group = new ArrayList<>(MAX_BATCH);
    while (true) {
      try {
        Queued<?> first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          if (closed) {
            return;
          }
          continue;
        }
        group.add(first);
        queue.drainTo(group, MAX_BATCH - 1);
        write(group);
      } catch (InterruptedException e) {
        return;
      } finally {
        group.clear();
      }
    }
  }

  private void write(List<Queued<?>> group) throws InterruptedException {
    boolean wasFull = db.full();
    if (wasFull) {
      sync.awaitIdle(); // every batch written before the failure is synced or failed before a reopen
    }
    if (!db.recover()) {
      StateStoreException full = new StorageFullException("mailbox store is out of disk space", null);
      for (Queued<?> q : group) {
        q.done().completeExceptionally(full);
      }
      return;
    }
    if (wasFull) {
      try {
        ledger.reload();
      } catch (Exception e) {
        db.markFull();
        StateStoreException failure = new StateStoreException("mailbox store could not be read after reopening", e);
        group.forEach(q -> q.done().completeExceptionally(failure));
        return;
      }
    }
    List<CompletableFuture<?>> futures = new ArrayList<>(group.size());
    List<Runnable> completions = new ArrayList<>(group.size());
    long start;
    ledger.begin();
    try {
      StagedBatch batch = new StagedBatch(db.writerDb(), group.size());
      for (Queued<?> q : group) {
        q.run(batch, ledger, futures, completions);
      }
      ledger.flush(batch);
      start = System.nanoTime();
      batch.write(write);
    } catch (Exception e) {
      // Nothing of this group is durable: the ledger forgets it and every step fails.
      ledger.rollBack();
      LOG.error("mailbox store write of {} operations failed: {}", group.size(), e.toString());
      boolean noSpace = StoreFailures.isNoSpace(e);
      StateStoreException failure = noSpace
          ? new StorageFullException("mailbox store is out of disk space", e)
          : new StateStoreException("mailbox store write failed", e);
      if (noSpace) {
        db.markFull();
      }
      for (Queued<?> q : group) {
        q.done().completeExceptionally(failure);
      }
      return;
    }
    ledger.commit();
    if (group.stream().anyMatch(Queued::durable)) {
      sync.handOff(new WalSync.Written(futures, completions, start));
    } else {
      sync.completeWritten(futures.size(), start, completions); // nothing in it waits for the disk
    }
  }

  /** Stops taking steps, lets the queued ones finish (at most 10 s each stage), fails the rest. */
  void close() {
    closed = true;
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Queued<?> q; (q = queue.poll()) != null; ) {
      q.done().completeExceptionally(new StateStoreException("mailbox store is closed"));
    }
    sync.close();
  }
}
