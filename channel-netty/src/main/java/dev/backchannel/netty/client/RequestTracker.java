package dev.backchannel.netty.client;

import dev.backchannel.api.error.BackchannelException;
import dev.backchannel.api.error.RelayUnavailableException;
import dev.backchannel.netty.internal.wire.Frame;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Numbers the link's requests, matches the relay's replies to them, and times them out. A
 * request made while disconnected waits (at most {@link RelayLink#MAX_QUEUED_REQUESTS}) until
 * the connection is ready; its frame is built then, for that connection's challenge.
 *
 * <p>Guarantees: a request other than a send completes exactly once, with the reply frame (an
 * {@code Error} frame too), or fails with {@link RelayUnavailableException} when the link is
 * closed, too many wait, the connection drops while it is in flight, or no answer comes within the
 * request timeout (checked by one sweep every eighth of it, at most every second); with the
 * link's fatal error once it failed for good. A send is never timed out and is left unanswered
 * when the connection drops (its outbox entry goes out again). State is confined to the loop;
 * {@link #request} may be called from any thread.
 */
final class RequestTracker {
  private final LinkConnection connection;
  private final EventLoop loop;
  private final Duration requestTimeout;
  private final ScheduledFuture<?> sweep;

  // State below is touched on the loop only.
  private long nextRequestId = 1;
  private final Map<Long, Pending> inFlight = new HashMap<>();
  private final Queue<Pending> waiting = new ArrayDeque<>();

  /** A request: builds its frame once the connection's challenge is known. */
  private static final class Pending {
    final Function<byte[], Frame.Builder> frame;
    final CompletableFuture<Frame> reply = new CompletableFuture<>();
    final boolean isSend;
    /** When a request other than a send times out ({@link System#nanoTime()}). */
    final long deadlineNanos;

    Pending(Function<byte[], Frame.Builder> frame, boolean isSend, long deadlineNanos) {
      this.frame = frame;
      this.isSend = isSend;
      this.deadlineNanos = deadlineNanos;
    }
  }

  RequestTracker(LinkConnection connection, Duration requestTimeout) {
    this.connection = connection;
    this.loop = connection.loop();
    this.requestTimeout = requestTimeout;
    // One sweep for all requests rather than a timer each: a timer per request would sit in the
    // loop's queue for the whole timeout after its answer came (an Ack per delivery: hundreds of
    // thousands of them under load). A request therefore fails between its timeout and one sweep
    // period later.
    long period = Math.max(10, Math.min(1000, requestTimeout.toMillis() / 8));
    sweep = loop.scheduleAtFixedRate(this::expire, period, period, TimeUnit.MILLISECONDS);
  }

  /** Fails every waiting or in-flight request (not sends) past its deadline (on the loop). */
  private void expire() {
    long now = System.nanoTime();
    for (var it = waiting.iterator(); it.hasNext(); ) {
      Pending p = it.next();
      if (now - p.deadlineNanos >= 0) {
        it.remove();
        p.reply.completeExceptionally(timedOut());
      }
    }
    for (var it = inFlight.values().iterator(); it.hasNext(); ) {
      Pending p = it.next();
      if (!p.isSend && now - p.deadlineNanos >= 0) {
        it.remove();
        p.reply.completeExceptionally(timedOut());
      }
    }
  }

  private RelayUnavailableException timedOut() {
    return new RelayUnavailableException("no answer from the relay within " + requestTimeout.toSeconds() + " s");
  }

  /**
   * Sends a request other than a send (on the loop), or queues it until connected; the future
   * completes on the loop.
   *
   * @param frame builds the request for the connection's challenge
   */
  CompletableFuture<Frame> request(Function<byte[], Frame.Builder> frame) {
    Pending p = new Pending(frame, false, System.nanoTime() + requestTimeout.toNanos());
    loop.execute(() -> {
      if (connection.closed()) {
        p.reply.completeExceptionally(new RelayUnavailableException("relay link is closed"));
      } else if (connection.fatal() != null) {
        p.reply.completeExceptionally(connection.fatal());
      } else if (connection.ready()) {
        write(p);
      } else if (waiting.size() >= RelayLink.MAX_QUEUED_REQUESTS) {
        p.reply.completeExceptionally(new RelayUnavailableException("too many requests waiting for the relay"));
      } else {
        waiting.add(p);
      }
    });
    return p.reply;
  }

  /**
   * Writes a send now (on the loop, when connected). It has no timeout and is dropped unanswered
   * if the connection drops; the future completes on the loop.
   */
  CompletableFuture<Frame> writeSend(Function<byte[], Frame.Builder> frame) {
    Pending p = new Pending(frame, true, 0);
    write(p);
    return p.reply;
  }

  private void write(Pending p) {
    long id = nextRequestId++;
    inFlight.put(id, p);
    connection.write(p.frame.apply(connection.challenge()).setRequestId(id).build());
  }

  /**
   * Completes the request the relay answered (on the loop), and the further sends a batched
   * {@code Ok} names ({@code more_request_ids}: sends only, since only sends ask for it); an
   * unknown id is ignored.
   */
  void answered(Frame frame) {
    Pending p = inFlight.remove(frame.getRequestId());
    if (p != null) {
      p.reply.complete(frame);
    }
    if (frame.hasOk()) {
      var ok = frame.getOk();
      for (int i = 0; i < ok.getMoreRequestIdsCount(); i++) {
        long more = ok.getMoreRequestIds(i);
        Pending send = inFlight.get(more);
        if (send != null && send.isSend) {
          inFlight.remove(more);
          send.reply.complete(frame);
        }
      }
    }
  }

  /** Writes the requests that waited for the connection (on the loop, once it is ready). */
  void connected() {
    while (!waiting.isEmpty() && connection.hasChannel()) {
      write(waiting.poll());
    }
  }

  /** The connection dropped: requests in flight fail, except sends, which are dropped (on the loop). */
  void lost() {
    for (Pending p : inFlight.values()) {
      if (!p.isSend) {
        p.reply.completeExceptionally(new RelayUnavailableException("connection to the relay was lost"));
      }
    }
    inFlight.clear();
  }

  /** The link failed for good: waiting requests fail with {@code e} (on the loop). */
  void failed(BackchannelException e) {
    for (Pending p : waiting) {
      p.reply.completeExceptionally(e);
    }
    waiting.clear();
  }

  /** The link is closing: every request, waiting or in flight, fails with {@code e} (on the loop). */
  void closing(RelayUnavailableException e) {
    sweep.cancel(false);
    for (Pending p : waiting) {
      p.reply.completeExceptionally(e);
    }
    waiting.clear();
    for (Pending p : inFlight.values()) {
      p.reply.completeExceptionally(e);
    }
    inFlight.clear();
  }
}
