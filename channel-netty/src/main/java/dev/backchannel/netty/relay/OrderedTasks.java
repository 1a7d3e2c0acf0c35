package dev.backchannel.netty.relay;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Runs one connection's store-side send steps one after another, in the order they were
 * submitted, on a shared executor: so sends that need a record read or a signature check on a
 * store thread reach the store's write queue in the order the client sent them, however many
 * store threads there are. Thread-safe.
 */
final class OrderedTasks {
  private final Executor executor;
  private final Queue<Runnable> queue = new ArrayDeque<>();
  private boolean running;

  OrderedTasks(Executor executor) {
    this.executor = executor;
  }

  /** Whether a task waits or runs (a send that could skip the store thread must queue behind it). */
  synchronized boolean busy() {
    return running || !queue.isEmpty();
  }

  /**
   * Queues {@code task}.
   *
   * @throws RejectedExecutionException if the executor refuses to start the chain
   */
  void execute(Runnable task) {
    synchronized (this) {
      queue.add(task);
      if (running) {
        return;
      }
      running = true;
    }
    try {
      executor.execute(this::runAll);
    } catch (RejectedExecutionException e) {
      synchronized (this) {
        queue.clear();
        running = false;
      }
      throw e;
    }
  }

  private void runAll() {
    while (true) {
      Runnable next;
      synchronized (this) {
        next = queue.poll();
        if (next == null) {
          running = false;
          return;
        }
      }
      try {
        next.run();
      } catch (RuntimeException e) {
        // each task answers its own request; one failing must not stop the others
      }
    }
  }
}
