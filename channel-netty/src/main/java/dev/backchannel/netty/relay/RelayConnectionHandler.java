package dev.backchannel.netty.relay;

import com.google.protobuf.ByteString;
import dev.backchannel.api.error.QuotaExceededException;
import dev.backchannel.netty.relay.store.MailboxRecord;
import dev.backchannel.netty.relay.store.MailboxStore;
import dev.backchannel.crypto.Ed25519;
import dev.backchannel.netty.internal.auth.CommandAuth;
import dev.backchannel.netty.internal.pipeline.Frames;
import dev.backchannel.netty.internal.wire.ErrorCode;
import dev.backchannel.netty.internal.wire.Frame;
import dev.backchannel.netty.internal.wire.Hello;
import dev.backchannel.netty.internal.wire.InvitationBundle;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.timeout.IdleStateEvent;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's command handler for one connection: it owns the connection's challenge, its
 * subscriptions, its rate limit and its count of pending stores. Blocking store calls run on the
 * store executor; replies re-enter the event loop. Any frame that is malformed, unexpected or
 * over a limit gets an error frame; protocol violations also close the connection.
 */
final class RelayConnectionHandler extends SimpleChannelInboundHandler<Frame> {
  private static final Logger LOG = LoggerFactory.getLogger(RelayConnectionHandler.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int ID_LENGTH = 32;
  private static final int MESSAGE_ID_LENGTH = 16;
  /** The most envelopes one {@code Ack} frame may acknowledge. */
  static final int MAX_ACK_BATCH = 256;

  private final RelayConfig config;
  private final MailboxStore store;
  private final ExecutorService storeExecutor;
  private final ChannelGroup channels;
  private final RelayCounters counters;
  private final Subscriptions subscriptions;
  private final byte[] challenge = new byte[32];
  private final Map<ByteBuffer, Subscriptions.Subscription> mine = new HashMap<>();
  private double tokens;
  private long lastRefillNanos;
  private final MailboxRecords records;
  /** Sender keys this connection proved, by mailbox (touched on the event loop only). */
  private final java.util.Map<ByteBuffer, byte[]> authorizedSenders = new java.util.HashMap<>();
  private int pendingStores;
  private boolean counted;

  RelayConnectionHandler(
      RelayConfig config, MailboxStore store, ExecutorService storeExecutor, ChannelGroup channels,
      RelayCounters counters, Subscriptions subscriptions, MailboxRecords records) {
    this.config = config;
    this.store = store;
    this.records = records;
    this.storeExecutor = storeExecutor;
    this.channels = channels;
    this.counters = counters;
    this.subscriptions = subscriptions;
    this.tokens = 2.0 * config.maxRequestsPerSecond();
    this.lastRefillNanos = System.nanoTime();
  }

  static String shortId(byte[] id) {
    return id.length >= 4 ? HexFormat.of().formatHex(id, 0, 4) : "?";
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    if (counters.connections.incrementAndGet() > config.maxConnections()) {
      counters.connections.decrementAndGet();
      counters.rejected.incrementAndGet();
      ctx.close();
      return;
    }
    counted = true;
    counters.connectionsTotal.incrementAndGet();
    channels.add(ctx.channel());
    RANDOM.nextBytes(challenge);
    ctx.writeAndFlush(Frame.newBuilder()
        .setHello(Hello.newBuilder().setVersion(1).setChallenge(ByteString.copyFrom(challenge)))
        .build());
    super.channelActive(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (counted) {
      counters.connections.decrementAndGet();
      counted = false;
    }
    for (Subscriptions.Subscription s : mine.values()) {
      subscriptions.remove(s);
    }
    mine.clear();
    super.channelInactive(ctx);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    if (ctx.channel().isWritable()) {
      mine.values().forEach(Subscriptions.Subscription::poke);
    }
    super.channelWritabilityChanged(ctx);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof IdleStateEvent) {
      ctx.close();
      return;
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    counters.rejected.incrementAndGet();
    if (cause instanceof TooLongFrameException) {
      fail(ctx, 0, ErrorCode.TOO_LARGE, "frame exceeds " + config.maxFrameBytes() + " bytes", true);
    } else if (cause instanceof DecoderException) {
      fail(ctx, 0, ErrorCode.BAD_REQUEST, "malformed frame", true);
    } else if (cause instanceof java.io.IOException) {
      ctx.close(); // connection reset and the like
    } else {
      LOG.warn("closing a connection after an unexpected error: {}", cause.toString());
      ctx.close();
    }
  }

  private void fail(ChannelHandlerContext ctx, long requestId, ErrorCode code, String reason, boolean close) {
    if (!ctx.channel().isActive()) {
      return;
    }
    var f = ctx.writeAndFlush(Frames.error(requestId, code, reason));
    if (close) {
      f.addListener(ChannelFutureListener.CLOSE);
    }
  }

  private boolean allow() {
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

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
    long rid = frame.getRequestId();
    if (!allow()) {
      counters.rejected.incrementAndGet();
      fail(ctx, rid, ErrorCode.RATE_LIMITED, "too many requests", false);
      return;
    }
    if (rid == 0) {
      counters.rejected.incrementAndGet();
      fail(ctx, 0, ErrorCode.BAD_REQUEST, "requests need a request id", true);
      return;
    }
    switch (frame.getBodyCase()) {
      case CREATE_MAILBOX -> createMailbox(ctx, rid, frame);
      case SUBSCRIBE -> subscribe(ctx, rid, frame);
      case SEND -> send(ctx, rid, frame);
      case ACK -> ack(ctx, rid, frame);
      case AUTHORIZE_SENDER -> authorizeSender(ctx, rid, frame);
      case LOCK_MAILBOX -> lock(ctx, rid, frame);
      case DELETE_MAILBOX -> deleteMailbox(ctx, rid, frame);
      case PUT_INVITATION -> putInvitation(ctx, rid, frame);
      case FETCH_INVITATION -> fetchInvitation(ctx, rid, frame);
      case PING -> ctx.writeAndFlush(Frames.ok(rid));
      default -> {
        counters.rejected.incrementAndGet();
        fail(ctx, rid, ErrorCode.BAD_REQUEST, "unexpected frame " + frame.getBodyCase(), true);
      }
    }
  }

  /** Runs {@code work} on the store executor and its reply on the event loop. */
  private void offload(ChannelHandlerContext ctx, long rid, StoreWork work) {
    try {
      storeExecutor.execute(() -> {
        Frame reply;
        try {
          reply = work.run();
        } catch (Exception e) {
          LOG.warn("store operation failed: {}", e.toString());
          reply = Frames.error(rid, ErrorCode.UNAVAILABLE, "storage unavailable, retry later");
        }
        Frame r = reply;
        if (r != null) {
          ctx.executor().execute(() -> {
            if (r.hasError()) {
              counters.rejected.incrementAndGet();
            }
            ctx.writeAndFlush(r);
          });
        }
      });
    } catch (RejectedExecutionException e) {
      fail(ctx, rid, ErrorCode.UNAVAILABLE, "relay is shutting down", true);
    }
  }

  @FunctionalInterface
  private interface StoreWork {
    Frame run() throws Exception;
  }

  private static boolean hasLength(ByteString b, int n) {
    return b.size() == n;
  }

  private boolean verify(byte[] key, int command, byte[] mailboxId, byte[] extra, ByteString signature) {
    return Ed25519.verify(key, CommandAuth.message(command, challenge, mailboxId, extra),
        signature.toByteArray());
  }

  private void createMailbox(ChannelHandlerContext ctx, long rid, Frame frame) {
    var c = frame.getCreateMailbox();
    if (!hasLength(c.getMailboxId(), ID_LENGTH) || !hasLength(c.getOwnerKey(), 32)) {
      fail(ctx, rid, ErrorCode.BAD_REQUEST, "mailbox id and owner key must be 32 bytes", false);
      return;
    }
    byte[] id = c.getMailboxId().toByteArray();
    byte[] owner = c.getOwnerKey().toByteArray();
    if (!verify(owner, CommandAuth.CREATE, id, null, c.getSignature())) {
      fail(ctx, rid, ErrorCode.UNAUTHORIZED, "bad signature", false);
      return;
    }
    offload(ctx, rid, () -> records.create(new MailboxRecord(id, owner, null))
        ? Frames.ok(rid)
        : Frames.error(rid, ErrorCode.MAILBOX_EXISTS, "mailbox exists"));
  }

  private void subscribe(ChannelHandlerContext ctx, long rid, Frame frame) {
    var s = frame.getSubscribe();
    if (!hasLength(s.getMailboxId(), ID_LENGTH)) {
      fail(ctx, rid, ErrorCode.BAD_REQUEST, "mailbox id must be 32 bytes", false);
      return;
    }
    byte[] id = s.getMailboxId().toByteArray();
    offload(ctx, rid, () -> {
      Optional<MailboxRecord> m = records.get(id);
      if (m.isEmpty()) {
        return Frames.error(rid, ErrorCode.NO_SUCH_MAILBOX, "no such mailbox");
      }
      byte[] owner = m.get().ownerKey();
      if (!verify(owner, CommandAuth.SUBSCRIBE, id, null, s.getSignature())) {
        return Frames.error(rid, ErrorCode.UNAUTHORIZED, "bad signature");
      }
      ctx.executor().execute(() -> {
        if (!ctx.channel().isActive()) {
          return;
        }
        Subscriptions.Subscription sub = subscriptions.create(ctx.channel(), id, owner);
        Subscriptions.Subscription old = mine.put(ByteBuffer.wrap(id), sub);
        if (old != null) {
          subscriptions.remove(old);
        }
        ctx.writeAndFlush(Frames.ok(rid));
        subscriptions.add(sub);
      });
      return null;
    });
  }

  private void send(ChannelHandlerContext ctx, long rid, Frame frame) {
    var s = frame.getSend();
    if (!hasLength(s.getMailboxId(), ID_LENGTH) || !hasLength(s.getMessageId(), MESSAGE_ID_LENGTH)) {
      fail(ctx, rid, ErrorCode.BAD_REQUEST, "mailbox id must be 32 bytes and message id 16", false);
      return;
    }
    if (s.getBody().isEmpty() || s.getBody().size() > config.maxEnvelopeBytes()) {
      fail(ctx, rid, ErrorCode.TOO_LARGE, "envelope body must be 1.." + config.maxEnvelopeBytes() + " bytes", false);
      return;
    }
    byte[] id = s.getMailboxId().toByteArray();
    byte[] mid = s.getMessageId().toByteArray();
    byte[] body = s.getBody().toByteArray();
    if (++pendingStores >= config.maxPendingStores()) {
      ctx.channel().config().setAutoRead(false); // read no faster than the store absorbs
    }
    MailboxRecord known = records.cached(id);
    byte[] authorized = authorizedSenders.get(ByteBuffer.wrap(id));
    if (known != null && mayOmitSignature(known, authorized)) {
      append(ctx, rid, id, mid, body, s.getBody()); // nothing to read or verify: straight to the store's queue
      return;
    }
    try {
      storeExecutor.execute(() -> {
        Optional<MailboxRecord> m;
        try {
          m = records.get(id);
        } catch (Exception e) {
          finishSend(ctx, Frames.error(rid, ErrorCode.UNAVAILABLE, "storage unavailable, retry later"), null);
          return;
        }
        if (m.isEmpty()) {
          finishSend(ctx, Frames.error(rid, ErrorCode.NO_SUCH_MAILBOX, "no such mailbox"), null);
          return;
        }
        if (!mayOmitSignature(m.get(), authorized)) {
          byte[] locked = m.get().lockedSenderKey().orElseThrow();
          boolean ok = java.security.MessageDigest.isEqual(locked, s.getSenderKey().toByteArray())
              && verify(locked, CommandAuth.SEND, id, CommandAuth.sendExtra(mid, body), s.getSenderSignature());
          if (!ok) {
            finishSend(ctx, Frames.error(rid, ErrorCode.LOCKED, "mailbox is locked to another sender"), null);
            return;
          }
        }
        append(ctx, rid, id, mid, body, s.getBody());
      });
    } catch (RejectedExecutionException e) {
      finishSend(ctx, Frames.error(rid, ErrorCode.UNAVAILABLE, "relay is shutting down"), null);
    }
  }

  /**
   * Whether a send to {@code mailbox} needs no signature of its own: the mailbox is not locked, or
   * it is locked to the sender key this connection proved ({@code authorized}, may be null).
   */
  private static boolean mayOmitSignature(MailboxRecord mailbox, byte[] authorized) {
    Optional<byte[]> locked = mailbox.lockedSenderKey();
    return locked.isEmpty()
        || (authorized != null && java.security.MessageDigest.isEqual(locked.get(), authorized));
  }

  /** Appends to the store (which only queues it for the writer) and replies when durable. */
  private void append(ChannelHandlerContext ctx, long rid, byte[] id, byte[] mid, byte[] body, ByteString bodyBytes) {
    long expiresAt = System.currentTimeMillis() + config.envelopeTtl().toMillis();
    store.append(id, mid, body, expiresAt, config.maxEnvelopesPerMailbox(), config.maxBytesPerMailbox())
        .whenComplete((appended, err) -> {
          if (err == null) {
            finishSend(ctx, Frames.ok(rid), appended.duplicate()
                ? null : new Subscriptions.NewEnvelope(id, mid, appended.sequence(), bodyBytes));
          } else {
            Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
            if (cause instanceof QuotaExceededException) {
              finishSend(ctx, Frames.error(rid, ErrorCode.QUOTA_EXCEEDED, "mailbox is full"), null);
            } else {
              LOG.warn("store of an envelope for {} failed: {}", shortId(id), cause.toString());
              finishSend(ctx, Frames.error(rid, ErrorCode.UNAVAILABLE, "storage unavailable, retry later"), null);
            }
          }
        });
  }

  /** Replies to a send on the event loop; wakes the subscriber if a new envelope was stored. */
  private void finishSend(ChannelHandlerContext ctx, Frame reply, Subscriptions.NewEnvelope stored) {
    ctx.executor().execute(() -> {
      if (--pendingStores < config.maxPendingStores() / 2 && ctx.channel().isActive()) {
        ctx.channel().config().setAutoRead(true);
      }
      if (reply.hasError()) {
        counters.rejected.incrementAndGet();
      }
      if (stored != null) {
        counters.stored.incrementAndGet();
        counters.bytesStored.addAndGet(stored.body().size());
      }
      ctx.writeAndFlush(reply);
      if (stored != null) {
        subscriptions.stored(stored);
      }
    });
  }

  private void ack(ChannelHandlerContext ctx, long rid, Frame frame) {
    var a = frame.getAck();
    Subscriptions.Subscription sub = mine.get(ByteBuffer.wrap(a.getMailboxId().toByteArray()));
    if (sub == null) {
      fail(ctx, rid, ErrorCode.BAD_REQUEST, "acknowledge only on a subscribed mailbox", false);
      return;
    }
    // The subscription on this connection was proven with the owner's signature over this
    // connection's challenge; it authorises acknowledgements, which carry no signature of their own.
    if (a.getMoreMessageIdsCount() > MAX_ACK_BATCH - 1) {
      fail(ctx, rid, ErrorCode.BAD_REQUEST, "at most " + MAX_ACK_BATCH + " message ids in one acknowledgement", false);
      return;
    }
    List<byte[]> ids = new ArrayList<>(1 + a.getMoreMessageIdsCount());
    ids.add(a.getMessageId().toByteArray());
    for (var more : a.getMoreMessageIdsList()) {
      ids.add(more.toByteArray());
    }
    for (byte[] mid : ids) {
      if (mid.length != MESSAGE_ID_LENGTH) {
        fail(ctx, rid, ErrorCode.BAD_REQUEST, "message id must be 16 bytes", false);
        return;
      }
    }
    List<CompletableFuture<Boolean>> removals = new ArrayList<>(ids.size());
    for (byte[] mid : ids) {
      removals.add(store.remove(sub.mailboxId, mid));
    }
    CompletableFuture.allOf(removals.toArray(CompletableFuture[]::new))
        .whenComplete((ignored, err) -> ctx.executor().execute(() -> {
          if (err != null) {
            fail(ctx, rid, ErrorCode.UNAVAILABLE, "storage unavailable, retry later", false);
          } else {
            for (CompletableFuture<Boolean> r : removals) {
              if (Boolean.TRUE.equals(r.join())) {
                counters.acknowledged.incrementAndGet();
              }
            }
            ctx.writeAndFlush(Frames.ok(rid));
          }
        }));
  }

  /**
   * Records that this connection holds the sender key {@code mailbox_id} is locked to (proven by a
   * signature over this connection's challenge): sends to it on this connection need no signature.
   */
  private void authorizeSender(ChannelHandlerContext ctx, long rid, Frame frame) {
    var a = frame.getAuthorizeSender();
    if (!hasLength(a.getMailboxId(), ID_LENGTH) || !hasLength(a.getSenderKey(), 32)) {
      fail(ctx, rid, ErrorCode.BAD_REQUEST, "mailbox id and sender key must be 32 bytes", false);
      return;
    }
    byte[] id = a.getMailboxId().toByteArray();
    byte[] sender = a.getSenderKey().toByteArray();
    offload(ctx, rid, () -> {
      Optional<MailboxRecord> m = records.get(id);
      if (m.isEmpty()) {
        return Frames.error(rid, ErrorCode.NO_SUCH_MAILBOX, "no such mailbox");
      }
      Optional<byte[]> locked = m.get().lockedSenderKey();
      if (locked.isEmpty() || !java.security.MessageDigest.isEqual(locked.get(), sender)) {
        return Frames.error(rid, ErrorCode.LOCKED, "mailbox is not locked to this sender");
      }
      if (!verify(sender, CommandAuth.AUTHORIZE_SENDER, id, sender, a.getSignature())) {
        return Frames.error(rid, ErrorCode.UNAUTHORIZED, "bad signature");
      }
      ctx.executor().execute(() -> {
        authorizedSenders.put(ByteBuffer.wrap(id), sender);
        ctx.writeAndFlush(Frames.ok(rid));
      });
      return null;
    });
  }

  private void lock(ChannelHandlerContext ctx, long rid, Frame frame) {
    var l = frame.getLockMailbox();
    if (!hasLength(l.getMailboxId(), ID_LENGTH) || !hasLength(l.getSenderKey(), 32)) {
      fail(ctx, rid, ErrorCode.BAD_REQUEST, "mailbox id and sender key must be 32 bytes", false);
      return;
    }
    byte[] id = l.getMailboxId().toByteArray();
    byte[] sender = l.getSenderKey().toByteArray();
    offload(ctx, rid, () -> {
      Optional<MailboxRecord> m = records.get(id);
      if (m.isEmpty()) {
        return Frames.error(rid, ErrorCode.NO_SUCH_MAILBOX, "no such mailbox");
      }
      if (!verify(m.get().ownerKey(), CommandAuth.LOCK, id, sender, l.getSignature())) {
        return Frames.error(rid, ErrorCode.UNAUTHORIZED, "bad signature");
      }
      records.update(m.get().lockedTo(sender));
      return Frames.ok(rid);
    });
  }

  private void deleteMailbox(ChannelHandlerContext ctx, long rid, Frame frame) {
    var d = frame.getDeleteMailbox();
    if (!hasLength(d.getMailboxId(), ID_LENGTH)) {
      fail(ctx, rid, ErrorCode.BAD_REQUEST, "mailbox id must be 32 bytes", false);
      return;
    }
    byte[] id = d.getMailboxId().toByteArray();
    offload(ctx, rid, () -> {
      Optional<MailboxRecord> m = records.get(id);
      if (m.isEmpty()) {
        return Frames.error(rid, ErrorCode.NO_SUCH_MAILBOX, "no such mailbox");
      }
      if (!verify(m.get().ownerKey(), CommandAuth.DELETE, id, null, d.getSignature())) {
        return Frames.error(rid, ErrorCode.UNAUTHORIZED, "bad signature");
      }
      records.delete(id);
      ctx.executor().execute(() -> {
        Subscriptions.Subscription s = mine.remove(ByteBuffer.wrap(id));
        if (s != null) {
          subscriptions.remove(s);
        }
      });
      return Frames.ok(rid);
    });
  }

  private void putInvitation(ChannelHandlerContext ctx, long rid, Frame frame) {
    var p = frame.getPutInvitation();
    long now = System.currentTimeMillis();
    long expiresAtMillis = p.getExpiresAt() * 1000;
    if (!hasLength(p.getInvitationId(), ID_LENGTH) || p.getBundle().isEmpty()) {
      fail(ctx, rid, ErrorCode.BAD_REQUEST, "invitation id must be 32 bytes and the bundle present", false);
      return;
    }
    if (p.getBundle().size() > config.maxInvitationBytes()) {
      fail(ctx, rid, ErrorCode.TOO_LARGE, "invitation bundle exceeds " + config.maxInvitationBytes() + " bytes", false);
      return;
    }
    if (expiresAtMillis <= now || expiresAtMillis > now + config.maxInvitationTtl().toMillis()) {
      fail(ctx, rid, ErrorCode.BAD_REQUEST, "invitation expiry must be in the future and within "
          + config.maxInvitationTtl().toDays() + " days", false);
      return;
    }
    byte[] id = p.getInvitationId().toByteArray();
    byte[] bundle = p.getBundle().toByteArray();
    offload(ctx, rid, () -> {
      store.putInvitation(id, bundle, expiresAtMillis);
      return Frames.ok(rid);
    });
  }

  private void fetchInvitation(ChannelHandlerContext ctx, long rid, Frame frame) {
    var f = frame.getFetchInvitation();
    if (!hasLength(f.getInvitationId(), ID_LENGTH)) {
      fail(ctx, rid, ErrorCode.BAD_REQUEST, "invitation id must be 32 bytes", false);
      return;
    }
    byte[] id = f.getInvitationId().toByteArray();
    offload(ctx, rid, () -> store.fetchInvitation(id, System.currentTimeMillis())
        .map(b -> Frame.newBuilder().setRequestId(rid)
            .setInvitationBundle(InvitationBundle.newBuilder().setBundle(ByteString.copyFrom(b)))
            .build())
        .orElse(Frames.error(rid, ErrorCode.NO_SUCH_INVITATION, "no such invitation")));
  }
}
