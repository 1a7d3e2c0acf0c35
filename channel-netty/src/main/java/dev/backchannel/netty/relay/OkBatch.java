package dev.backchannel.netty.relay;

import dev.backchannel.netty.internal.wire.Frame;
import dev.backchannel.netty.internal.wire.Ok;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.internal.PlatformDependent;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@code Ok} replies of one connection's sends that set {@code batch_ok}, answered in as few
 * frames as their timing allows: a store completion (any thread) queues its request id, and one
 * task on the connection's event loop answers every id queued by then, at most {@link #MAX_IDS}
 * per frame ({@code Ok.more_request_ids}). A group commit completes many sends of a connection at
 * once, so they share a frame instead of each taking its own. Every queued id is a request the
 * connection's guard counts as started, so the queue is bounded by the guard's limit; each is
 * finished here once its frame is written (or the connection is gone).
 */
final class OkBatch {
  /** Most sends one {@code Ok} frame answers. */
  static final int MAX_IDS = 256;

  private final ChannelHandlerContext ctx;
  private final ConnectionGuard guard;
  private final Runnable drain;
  private final Queue<Long> ids = PlatformDependent.newMpscQueue();
  private final AtomicBoolean scheduled = new AtomicBoolean();

  OkBatch(ChannelHandlerContext ctx, ConnectionGuard guard, Runnable drain) {
    this.ctx = ctx;
    this.guard = guard;
    this.drain = drain;
  }

  /** Answers the started send {@code requestId} with {@code Ok} soon; any thread. */
  void add(long requestId) {
    ids.add(requestId);
    if (scheduled.compareAndSet(false, true)) {
      ctx.executor().execute(this::flush);
    }
  }

  /** Writes every queued id (event loop). */
  private void flush() {
    scheduled.set(false); // an id queued from here on schedules another flush
    boolean active = ctx.channel().isActive();
    Long first;
    while ((first = ids.poll()) != null) {
      Ok.Builder ok = Ok.newBuilder();
      int n = 1;
      Long more;
      while (n < MAX_IDS && (more = ids.poll()) != null) {
        ok.addMoreRequestIds(more);
        n++;
      }
      if (active) {
        ctx.write(Frame.newBuilder().setRequestId(first).setOk(ok).build());
      }
      for (int i = 0; i < n; i++) {
        guard.finished();
      }
    }
    if (active) {
      ctx.flush();
    }
    drain.run();
  }
}
