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
 * request timeout; with the link's fatal error once it failed for good. A send is never timed out
 * and is left unanswered when the connection drops (its outbox entry goes out again). State is
 * confined to the loop; {@link #request} may be called from any thread.
 */
final class RequestTracker {
  private final LinkConnection connection;
  private final EventLoop loop;
  private final Duration requestTimeout;

  // State below is touched on the loop only.
  private long nextRequestId = 1;
  private final Map<Long, Pending> inFlight = new HashMap<>();
  private final Queue<Pending> waiting = new ArrayDeque<>();

  /** A request: builds its frame once the connection's challenge is known. */
  private static final class Pending {
    final Function<byte[], Frame.Builder> frame;
    final CompletableFuture<Frame> reply = new CompletableFuture<>();
    final boolean isSend;

    Pending(Function<byte[], Frame.Builder> frame, boolean isSend) {
      this.frame = frame;
      this.isSend = isSend;
    }
  }

  RequestTracker(LinkConnection connection, Duration requestTimeout) {
    this.connection = connection;
    this.loop = connection.loop();
    this.requestTimeout = requestTimeout;
  }

  /**
   * Sends a request other than a send (on the loop), or queues it until connected; the future
   * completes on the loop.
   *
   * @param frame builds the request for the connection's challenge
   */
  CompletableFuture<Frame> request(Function<byte[], Frame.Builder> frame) {
    Pending p = new Pending(frame, false);
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
    loop.schedule(() -> {
      if (!p.reply.isDone() && !p.isSend) {
        waiting.remove(p);
        inFlight.values().remove(p);
        p.reply.completeExceptionally(new RelayUnavailableException(
            "no answer from the relay within " + requestTimeout.toSeconds() + " s"));
      }
    }, requestTimeout.toMillis(), TimeUnit.MILLISECONDS);
    return p.reply;
  }

  /**
   * Writes a send now (on the loop, when connected). It has no timeout and is dropped unanswered
   * if the connection drops; the future completes on the loop.
   */
  CompletableFuture<Frame> writeSend(Function<byte[], Frame.Builder> frame) {
    Pending p = new Pending(frame, true);
    write(p);
    return p.reply;
  }

  private void write(Pending p) {
    long id = nextRequestId++;
    inFlight.put(id, p);
    connection.write(p.frame.apply(connection.challenge()).setRequestId(id).build());
  }

  /** Completes the request the relay answered (on the loop); an unknown id is ignored. */
  void answered(Frame frame) {
    Pending p = inFlight.remove(frame.getRequestId());
    if (p != null) {
      p.reply.complete(frame);
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
