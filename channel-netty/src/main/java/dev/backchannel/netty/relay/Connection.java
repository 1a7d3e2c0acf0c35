package dev.backchannel.netty.relay;

import dev.backchannel.crypto.Ed25519;
import dev.backchannel.netty.internal.auth.CommandAuth;
import dev.backchannel.netty.internal.pipeline.Frames;
import dev.backchannel.netty.internal.wire.ErrorCode;
import dev.backchannel.netty.internal.wire.Frame;
import com.google.protobuf.ByteString;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the command classes share about one connection: its context, challenge and guard, its
 * subscriptions and proven senders, and the one way to run store work off the event loop and
 * answer on it. Every request that goes to the store is counted by the guard from
 * {@link #started()} until its {@link #complete} (exactly once), which is what bounds the replies
 * one connection can have in flight. Event loop only, except where a method says otherwise.
 */
final class Connection {
  private static final Logger LOG = LoggerFactory.getLogger(Connection.class);

  final ChannelHandlerContext ctx;
  final RelayConfig config;
  final RelayServices services;
  final ConnectionGuard guard;
  final byte[] challenge;
  final Map<ByteBuffer, Subscriptions.Subscription> subscribed = new HashMap<>();
  /** Sender keys this connection proved, by mailbox. */
  final Map<ByteBuffer, byte[]> authorizedSenders = new HashMap<>();
  /** This connection's sends that go through a store thread, kept in the client's order. */
  private OrderedTasks sends;
  int creations;
  private final Runnable drain;
  private final OkBatch oks;

  Connection(ChannelHandlerContext ctx, RelayServices services, ConnectionGuard guard, byte[] challenge,
      Runnable drain) {
    this.ctx = ctx;
    this.config = services.config();
    this.services = services;
    this.guard = guard;
    this.challenge = challenge;
    this.drain = drain;
    this.oks = new OkBatch(ctx, guard, drain);
  }

  /** Store work that answers a request; runs on a store thread. */
  @FunctionalInterface
  interface StoreWork {
    Frame run() throws Exception;
  }

  boolean verify(byte[] key, int command, byte[] mailboxId, byte[] extra, ByteString signature) {
    return Ed25519.verify(key, CommandAuth.message(command, challenge, mailboxId, extra), signature.toByteArray());
  }

  /**
   * Records that this connection proved {@code sender} for {@code mailboxId} (event loop), within
   * the same bound as {@code AuthorizeSender}: past it, an unrecorded proof is simply not kept.
   */
  void authorize(byte[] mailboxId, byte[] sender) {
    ByteBuffer key = ByteBuffer.wrap(mailboxId);
    if (authorizedSenders.containsKey(key)
        || authorizedSenders.size() < config.limits().maxSubscriptionsPerConnection()) {
      authorizedSenders.put(key, sender);
    }
  }

  /** Answers a request at once, without the store. */
  void fail(long rid, ErrorCode code, String reason, boolean close) {
    services.counters().refused(code);
    if (!ctx.channel().isActive()) {
      return;
    }
    var f = ctx.writeAndFlush(Frames.error(rid, code, reason));
    if (close) {
      f.addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** A request goes to the store; answer it with {@link #complete} exactly once. */
  void started() {
    guard.started();
  }

  /** Answers a started request; any thread (hops to the event loop). */
  void complete(Frame reply) {
    complete(reply, null);
  }

  /**
   * Answers a started send with {@code Ok}; any thread. If the client set {@code batch_ok}, the
   * reply may share one frame with other sends' ({@link OkBatch}).
   */
  void completeOk(long rid, boolean batchOk) {
    if (batchOk) {
      oks.add(rid);
    } else {
      complete(Frames.ok(rid));
    }
  }

  /** Runs {@code before} (if any) and answers a started request; any thread. */
  void complete(Frame reply, Runnable before) {
    ctx.executor().execute(() -> {
      if (before != null && ctx.channel().isActive()) {
        before.run();
      }
      if (reply.hasError()) {
        services.counters().refused(reply.getError().getCode());
      }
      if (ctx.channel().isActive()) {
        ctx.writeAndFlush(reply);
      }
      guard.finished();
      drain.run();
    });
  }

  /** Runs {@code work} on the store executor and its reply on the event loop. */
  void offload(long rid, StoreWork work) {
    started();
    execute(rid, () -> {
      Frame reply;
      try {
        reply = work.run();
      } catch (Exception e) {
        reply = Replies.failure(rid, e);
        if (reply.getError().getCode() == ErrorCode.UNAVAILABLE) {
          LOG.warn("store operation failed: {}", e.toString());
        }
      }
      if (reply != null) {
        complete(reply);
      }
    });
  }

  /** Runs {@code task} (which completes request {@code rid}) on a store thread, or refuses it. */
  /** Whether sends of this connection wait on a store thread (a later one must queue behind them). */
  boolean sendsQueued() {
    return sends != null && sends.busy();
  }

  void execute(long rid, Runnable task) {
    ExecutorService executor = services.storeExecutor();
    if (sends == null) {
      sends = new OrderedTasks(executor);
    }
    try {
      sends.execute(task);
    } catch (RejectedExecutionException e) {
      boolean down = executor.isShutdown();
      complete(Frames.error(rid, ErrorCode.UNAVAILABLE, down ? "relay is shutting down" : "relay is busy, retry later"));
      if (down) {
        ctx.close();
      }
    }
  }
}
