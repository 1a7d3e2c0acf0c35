package dev.backchannel.netty.relay;

import com.google.protobuf.ByteString;
import dev.backchannel.netty.internal.pipeline.Frames;
import dev.backchannel.netty.internal.wire.ErrorCode;
import dev.backchannel.netty.internal.wire.Frame;
import dev.backchannel.netty.internal.wire.Hello;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's handler for one connection: admission of the connection (global and per-address
 * limits), its challenge, the guard (rate limit, read gate, unwritable timeout) and the dispatch of
 * each request to its command class. Any frame that is malformed, unexpected or over a limit gets
 * an error frame; protocol violations also close the connection.
 */
final class RelayConnectionHandler extends SimpleChannelInboundHandler<Frame> {
  private static final Logger LOG = LoggerFactory.getLogger(RelayConnectionHandler.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final RelayServices services;
  private final RelayConfig config;
  private final RelayCounters counters;
  private ConnectionGuard guard;
  private Connection connection;
  private boolean counted;
  private InetAddress address;

  RelayConnectionHandler(RelayServices services) {
    this.services = services;
    this.config = services.config();
    this.counters = services.counters();
  }

  static String shortId(byte[] id) {
    return id.length >= 4 ? HexFormat.of().formatHex(id, 0, 4) : "?";
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    guard = new ConnectionGuard(ctx.channel(), config, counters);
    byte[] challenge = new byte[32];
    RANDOM.nextBytes(challenge);
    connection = new Connection(ctx, services, guard, challenge, () -> drain(ctx));
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    if (counters.connections.incrementAndGet() > config.maxConnections()) {
      counters.connections.decrementAndGet();
      counters.refused(RelayCounters.Refusal.CONNECTION_LIMIT);
      ctx.close();
      return;
    }
    InetAddress a = MailboxCommands.address(connection);
    if (a != null && !services.addresses().connect(a)) {
      counters.connections.decrementAndGet();
      counters.refused(RelayCounters.Refusal.TOO_MANY_CONNECTIONS);
      ctx.writeAndFlush(Frames.error(0, ErrorCode.TOO_MANY_CONNECTIONS, "too many connections from this address"))
          .addListener(ChannelFutureListener.CLOSE);
      return;
    }
    address = a;
    counted = true;
    counters.connectionsTotal.incrementAndGet();
    services.channels().add(ctx.channel());
    ctx.writeAndFlush(Frame.newBuilder()
        .setHello(Hello.newBuilder().setVersion(1).setChallenge(ByteString.copyFrom(connection.challenge)))
        .build());
    guard.writabilityChanged();
    super.channelActive(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (counted) {
      counters.connections.decrementAndGet();
      if (address != null) {
        services.addresses().disconnect(address);
      }
      counted = false;
    }
    for (Subscriptions.Subscription s : connection.subscribed.values()) {
      services.subscriptions().remove(s);
    }
    connection.subscribed.clear();
    guard.closed();
    super.channelInactive(ctx);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    guard.writabilityChanged();
    if (ctx.channel().isWritable()) {
      connection.subscribed.values().forEach(Subscriptions.Subscription::poke);
      drain(ctx);
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
    if (cause instanceof TooLongFrameException) {
      connection.fail(0, ErrorCode.TOO_LARGE, "frame exceeds " + config.maxFrameBytes() + " bytes", true);
    } else if (cause instanceof DecoderException) {
      connection.fail(0, ErrorCode.BAD_REQUEST, "malformed frame", true);
    } else if (cause instanceof java.io.IOException) {
      counters.refused(RelayCounters.Refusal.CONNECTION_ERROR);
      ctx.close(); // connection reset and the like
    } else {
      counters.refused(RelayCounters.Refusal.CONNECTION_ERROR);
      LOG.warn("closing a connection after an unexpected error: {}", cause.toString());
      ctx.close();
    }
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
    if (guard.shut()) {
      if (!guard.hold(frame)) {
        connection.fail(0, ErrorCode.RATE_LIMITED, "too many requests while not reading replies", true);
      }
      return;
    }
    dispatch(ctx, frame);
  }

  /** Handles held frames while the gate is open. */
  private void drain(ChannelHandlerContext ctx) {
    for (Frame f; ctx.channel().isActive() && (f = guard.nextHeld()) != null; ) {
      dispatch(ctx, f);
    }
    guard.update();
  }

  private void dispatch(ChannelHandlerContext ctx, Frame frame) {
    long rid = frame.getRequestId();
    Connection c = connection;
    if (!guard.allow()) {
      long wait = guard.overRate(frame);
      if (wait < 0) {
        c.fail(rid, ErrorCode.RATE_LIMITED, "too many requests held over the rate", true);
        return;
      }
      counters.rateLimited.incrementAndGet();
      ctx.executor().schedule(() -> {
        guard.tokensDue();
        drain(ctx);
      }, wait, java.util.concurrent.TimeUnit.NANOSECONDS);
      return;
    }
    if (rid == 0) {
      c.fail(0, ErrorCode.BAD_REQUEST, "requests need a request id", true);
      return;
    }
    switch (frame.getBodyCase()) {
      case CREATE_MAILBOX -> MailboxCommands.create(c, rid, frame);
      case SUBSCRIBE -> MailboxCommands.subscribe(c, rid, frame);
      case SEND -> EnvelopeCommands.send(c, rid, frame);
      case ACK -> EnvelopeCommands.ack(c, rid, frame);
      case AUTHORIZE_SENDER -> MailboxCommands.authorizeSender(c, rid, frame);
      case LOCK_MAILBOX -> MailboxCommands.lock(c, rid, frame);
      case DELETE_MAILBOX -> MailboxCommands.delete(c, rid, frame);
      case PUT_INVITATION -> InvitationCommands.put(c, rid, frame);
      case FETCH_INVITATION -> InvitationCommands.fetch(c, rid, frame);
      case PING -> ctx.writeAndFlush(Frames.ok(rid));
      default -> c.fail(rid, ErrorCode.BAD_REQUEST, "unexpected frame " + frame.getBodyCase(), true);
    }
  }
}
