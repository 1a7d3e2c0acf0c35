package dev.backchannel.netty.runtime;

import dev.backchannel.api.Message;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * One conversation's received messages not yet taken by the application, in sequence order,
 * mirrored from the durable {@code inbox/} records (which the stage writes before the relay is
 * acknowledged). Thread-safe; {@link #await} waits without polling.
 */
final class Inbox {
  private final TreeMap<Long, Message> waiting = new TreeMap<>();
  private final TreeMap<Long, Message> handedOut = new TreeMap<>();

  synchronized void add(Message m) {
    if (!handedOut.containsKey(m.sequence())) {
      waiting.put(m.sequence(), m);
      notifyAll();
    }
  }

  /** Takes the oldest waiting message and marks it handed out. */
  synchronized Optional<Message> take() {
    Map.Entry<Long, Message> e = waiting.pollFirstEntry();
    if (e == null) {
      return Optional.empty();
    }
    handedOut.put(e.getKey(), e.getValue());
    return Optional.of(e.getValue());
  }

  /** The message is gone for good (its removal is durable or queued). */
  synchronized void done(long sequence) {
    handedOut.remove(sequence);
  }

  /** A hand-out failed: the message waits again. */
  synchronized void putBack(Message m) {
    handedOut.remove(m.sequence());
    waiting.put(m.sequence(), m);
    notifyAll();
  }

  /** Waits up to {@code nanos} for a waiting message; returns whether one waits. */
  synchronized boolean await(long nanos) throws InterruptedException {
    long deadline = System.nanoTime() + nanos;
    while (waiting.isEmpty()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }

  /** Wakes waiters (on close). */
  synchronized void wake() {
    notifyAll();
  }

  synchronized int size() {
    return waiting.size();
  }
}
