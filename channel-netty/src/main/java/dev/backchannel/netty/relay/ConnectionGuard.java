package dev.backchannel.netty.relay;

import dev.backchannel.netty.internal.wire.Frame;
import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * One connection's guard, on its event loop only: the request rate limit, and the read gate that
 * makes the relay read no faster than it can answer. Reading stops while the connection is not
 * writable (its queued replies and deliveries are above the high water mark) or while too many of
 * its requests wait for the store; frames already decoded meanwhile wait here, in order, and are
 * handled when the gate opens. What one connection can make the relay hold is therefore bounded:
 * the high water mark, plus one reply per pending request, plus one read's worth of frames. A
 * connection that stays unwritable longer than {@link RelayLimits#maxUnwritableTime()} is closed.
 */
final class ConnectionGuard {
  /** Most decoded frames held while the gate is shut (one read's worth is far fewer). */
  static final int MAX_HELD_FRAMES = 4_096;

  private final Channel channel;
  private final RelayConfig config;
  private final RelayCounters counters;
  private final ArrayDeque<Frame> held = new ArrayDeque<>();
  private double tokens;
  private long lastRefillNanos;
  private int pending;
  private ScheduledFuture<?> unwritableClose;
  private boolean waitingForTokens;

  ConnectionGuard(Channel channel, RelayConfig config, RelayCounters counters) {
    this.channel = channel;
    this.config = config;
    this.counters = counters;
    this.tokens = 2.0 * config.maxRequestsPerSecond();
    this.lastRefillNanos = System.nanoTime();
  }

  /** Takes one request from the token bucket; false when over the rate. */
  boolean allow() {
    long now = System.nanoTime();
    double rate = config.maxRequestsPerSecond();
    tokens = Math.min(2 * rate, tokens + (now - lastRefillNanos) * rate / 1e9);
    lastRefillNanos = now;
    if (tokens < 1) {
      return false;
    }
    tokens -= 1;
    return true;
  }

  /** Whether a frame arriving now must wait. */
  boolean shut() {
    return waitingForTokens || !channel.isWritable() || pending >= config.maxPendingStores() || !held.isEmpty();
  }

  /**
   * A frame came over the request rate: it waits, first in line, and reading stops until a token
   * is due (pacing keeps the client's order; refusing would let later requests overtake it).
   *
   * @return nanoseconds until the next token, or -1 if too many frames are held (close then)
   */
  long overRate(Frame frame) {
    if (held.size() >= MAX_HELD_FRAMES) {
      return -1;
    }
    held.addFirst(frame);
    waitingForTokens = true;
    update();
    double rate = config.maxRequestsPerSecond();
    return Math.max(100_000L, (long) ((1 - tokens) * 1e9 / rate));
  }

  /** A token is due: held frames may go again. */
  void tokensDue() {
    waitingForTokens = false;
  }

  /**
   * Holds a frame until the gate opens.
   *
   * @return false if too many are held already (the caller closes the connection)
   */
  boolean hold(Frame frame) {
    if (held.size() >= MAX_HELD_FRAMES) {
      return false;
    }
    held.add(frame);
    update();
    return true;
  }

  /** The next held frame if the gate is open, else null. */
  Frame nextHeld() {
    if (waitingForTokens || held.isEmpty() || !channel.isWritable() || pending >= config.maxPendingStores()) {
      return null;
    }
    return held.poll();
  }

  /** A request went to the store. */
  void started() {
    pending++;
    update();
  }

  /** A request that went to the store was answered. */
  void finished() {
    pending--;
    update();
  }

  int pending() {
    return pending;
  }

  /** Called on every writability change: starts or stops the unwritable timer, and the reads. */
  void writabilityChanged() {
    if (channel.isWritable()) {
      if (unwritableClose != null) {
        unwritableClose.cancel(false);
        unwritableClose = null;
      }
    } else if (unwritableClose == null) {
      long ms = config.limits().maxUnwritableTime().toMillis();
      unwritableClose = channel.eventLoop().schedule(() -> {
        unwritableClose = null;
        if (!channel.isWritable() && channel.isActive()) {
          counters.unwritableClosed.incrementAndGet();
          channel.close();
        }
      }, ms, TimeUnit.MILLISECONDS);
    }
    update();
  }

  /** Reads while the gate is open and nothing is held; pauses otherwise. */
  void update() {
    boolean read = channel.isActive() && channel.isWritable()
        && (pending < config.maxPendingStores() / 2 || pending == 0 || (pending < config.maxPendingStores() && channel.config().isAutoRead()))
        && held.isEmpty();
    if (channel.config().isAutoRead() != read) {
      channel.config().setAutoRead(read);
    }
  }

  /** The connection closed: drops what is held and the timer. */
  void closed() {
    held.clear();
    if (unwritableClose != null) {
      unwritableClose.cancel(false);
      unwritableClose = null;
    }
  }
}
