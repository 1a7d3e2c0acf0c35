package dev.backchannel.netty.client;

import dev.backchannel.api.RelayAddress;
import dev.backchannel.api.error.BackchannelException;
import dev.backchannel.api.error.RelayUnavailableException;
import dev.backchannel.api.error.UntrustedRelayException;
import dev.backchannel.netty.internal.pipeline.Frames;
import dev.backchannel.netty.internal.pipeline.Transport;
import dev.backchannel.netty.internal.tls.PinningTrustManager;
import dev.backchannel.netty.internal.tls.RelayKeyMaterial;
import dev.backchannel.netty.internal.wire.Frame;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The link's one connection at a time to its relay: connects over TLS pinned to the address's key,
 * moves to the next endpoint ({@link EndpointCycle}) after a failed attempt or a dropped connection,
 * and reconnects with exponential backoff and jitter until closed or failed for good. It reports
 * what happens to the connection to its {@link Events}, on the loop; it knows nothing of requests,
 * sends or subscriptions.
 *
 * <p>Guarantees: a key that does not match the pin fails the TLS handshake before anything is sent,
 * and then fails the link for good with {@link UntrustedRelayException} (no endpoint is tried
 * again). Its state is confined to {@link #loop()}; only {@link #currentEndpoint()},
 * {@link #awaitConnected}, {@link #isConnected()}, {@link #disconnect()}, {@link #reading} and
 * {@link #close} may be called from any thread.
 */
final class LinkConnection {
  // Logged under the link's name, which is what operators configure.
  private static final Logger LOG = LoggerFactory.getLogger(RelayLink.class);

  /** What the connection tells the rest of the link; every call is on the loop. */
  interface Events {
    /** The relay's Hello arrived: the connection is ready, with its challenge. */
    void ready();

    /** The relay pushed an envelope. */
    void delivered(Frame frame);

    /** The relay answered a request (or sent another frame with a request id). */
    void replied(Frame frame);

    /** The current connection, ready or not, dropped; {@link LinkConnection#epoch()} is the next. */
    void lost();

    /** The link failed for good (the relay is untrusted). */
    void failed(BackchannelException e);

    /** The link is closing: the channel closes right after. */
    void closing();
  }

  private final RelayAddress address;
  private final EndpointCycle endpoints;
  private final Duration minBackoff;
  private final Duration maxBackoff;
  private final int maxFrameBytes;
  private final PinningTrustManager trust;
  private final SslContext ssl;
  /** The group this connection made for itself and shuts down on close; null when shared. */
  private final MultiThreadIoEventLoopGroup ownGroup;
  private final EventLoop loop;
  private final CompletableFuture<Void> firstConnection = new CompletableFuture<>();
  /** Set once by {@link #start}, before the loop first runs anything of this connection. */
  private Events events;

  // State below is touched on `loop` only.
  private Channel channel;
  private byte[] challenge;
  private int attempt;
  private boolean closed;
  private BackchannelException fatal;
  /** Counts connections, so a late reply cannot act on a newer one. */
  private long connectionEpoch;
  private boolean readPaused;

  /**
   * @param shared an event loop group to take one loop of, or null for a one-thread group of
   *     this connection's own
   * @throws UntrustedRelayException if TLS cannot be set up
   */
  LinkConnection(RelayAddress address, Duration minBackoff, Duration maxBackoff, int maxFrameBytes,
      EventLoopGroup shared) throws UntrustedRelayException {
    this.address = address;
    this.endpoints = new EndpointCycle(address);
    this.minBackoff = minBackoff;
    this.maxBackoff = maxBackoff;
    this.maxFrameBytes = maxFrameBytes;
    this.trust = new PinningTrustManager(address.keySha256());
    try {
      this.ssl = RelayKeyMaterial.clientContext(trust);
    } catch (javax.net.ssl.SSLException e) {
      throw new UntrustedRelayException("cannot set up TLS: " + e.getMessage());
    }
    this.ownGroup = shared != null ? null
        : new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("backchannel-link-io"), Transport.ioHandlers());
    this.loop = (shared == null ? ownGroup : shared).next();
  }

  /** Starts connecting in the background, reporting to {@code events}. Called once. */
  void start(Events events) {
    this.events = events;
    loop.execute(this::connect);
  }

  /** The event loop all link state is confined to. */
  EventLoop loop() {
    return loop;
  }

  /** The endpoint connected to now, or tried next (any thread). */
  RelayAddress.Endpoint currentEndpoint() {
    return endpoints.current();
  }

  /** Whether the connection is ready: the relay's Hello arrived (on the loop). */
  boolean ready() {
    return challenge != null && channel != null;
  }

  /** Whether a channel is active, ready or not (on the loop). */
  boolean hasChannel() {
    return channel != null;
  }

  /** This connection's challenge, or null before the Hello (on the loop). */
  byte[] challenge() {
    return challenge;
  }

  /** The number of the current connection; it changes when one drops (on the loop). */
  long epoch() {
    return connectionEpoch;
  }

  /** Whether {@link #close} was called (on the loop). */
  boolean closed() {
    return closed;
  }

  /** Why the link failed for good, or null (on the loop). */
  BackchannelException fatal() {
    return fatal;
  }

  /** Writes one frame (on the loop, with a channel). */
  void write(Frame frame) {
    channel.writeAndFlush(frame);
  }

  // ------------------------------------------------------------------ connecting

  private void connect() {
    if (closed || fatal != null) {
      return;
    }
    RelayAddress.Endpoint target = endpoints.current();
    new Bootstrap()
        .group(loop)
        .channel(Transport.socketChannel())
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            SslHandler tls = ssl.newHandler(ch.alloc(), target.host(), target.port());
            tls.setHandshakeTimeoutMillis(10_000);
            ch.pipeline().addLast("tls", tls);
            ch.pipeline().addLast("flushes", new FlushConsolidationHandler(256, true));
            Frames.addCodec(ch.pipeline(), maxFrameBytes);
            ch.pipeline().addLast("link", new LinkHandler());
          }
        })
        .connect(target.host(), target.port())
        .addListener(f -> {
          if (!f.isSuccess()) {
            LOG.debug("connecting to the relay at {} failed: {}", target, f.cause().toString());
            nextEndpoint();
            scheduleReconnect();
          }
        });
  }

  /** After a failure of the current endpoint: the next attempt goes to the next one. */
  private void nextEndpoint() {
    if (endpoints.size() > 1) {
      RelayAddress.Endpoint from = endpoints.current();
      LOG.debug("relay endpoint {} failed; trying {} next", from, endpoints.advance());
    }
  }

  private void untrusted() {
    fail(new UntrustedRelayException(
        "the relay at " + endpoints.current() + " presented a key that does not match its address;"
            + " nothing was sent"));
  }

  private void fail(BackchannelException e) {
    fatal = e;
    firstConnection.completeExceptionally(e);
    events.failed(e);
  }

  private void scheduleReconnect() {
    if (closed || fatal != null) {
      return;
    }
    long base = Math.min(maxBackoff.toMillis(), minBackoff.toMillis() << Math.min(attempt, 20));
    long delay = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
    attempt++;
    loop.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
  }

  private void helloReceived(byte[] newChallenge) {
    challenge = newChallenge;
    attempt = 0;
    firstConnection.complete(null);
    events.ready();
  }

  private final class LinkHandler extends SimpleChannelInboundHandler<Frame> {
    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      if (channel == ctx.channel()) {
        channel = null;
        challenge = null;
        connectionEpoch++;
        events.lost();
        if (trust.mismatchSeen()) {
          untrusted();
        } else {
          nextEndpoint();
          scheduleReconnect();
        }
      } else if (trust.mismatchSeen() && fatal == null) {
        untrusted();
      } else if (channel == null && challenge == null) {
        scheduleReconnect();
      }
      super.channelInactive(ctx);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
      channel = ctx.channel();
      channel.config().setAutoRead(!readPaused);
      super.channelActive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.debug("relay link error: {}", cause.toString());
      ctx.close();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
      switch (frame.getBodyCase()) {
        case HELLO -> helloReceived(frame.getHello().getChallenge().toByteArray());
        case DELIVER -> events.delivered(frame);
        default -> events.replied(frame);
      }
    }
  }

  // ------------------------------------------------------------------ any thread

  /**
   * Waits for the first connection to be ready.
   *
   * @throws UntrustedRelayException if the relay's key does not match the address
   * @throws RelayUnavailableException if not connected within {@code timeout}
   */
  void awaitConnected(Duration timeout) throws UntrustedRelayException, RelayUnavailableException {
    try {
      firstConnection.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof UntrustedRelayException u) {
        throw u;
      }
      throw new RelayUnavailableException("cannot reach the relay: " + e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new RelayUnavailableException(
          "cannot reach the relay at " + address.endpointList() + " within "
              + timeout.toSeconds() + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RelayUnavailableException("interrupted while connecting");
    }
  }

  /** Whether the connection is ready now (blocks until the loop answers). */
  boolean isConnected() {
    CompletableFuture<Boolean> f = new CompletableFuture<>();
    loop.execute(() -> f.complete(ready()));
    return f.join();
  }

  /** Closes the connection for a moment, as a network failure would. */
  void disconnect() {
    loop.execute(() -> {
      if (channel != null) {
        channel.close();
      }
    });
  }

  /** Stops or resumes reading from the relay; a pause holds across reconnects until resumed. */
  void reading(boolean on) {
    loop.execute(() -> {
      readPaused = !on;
      if (channel != null) {
        channel.config().setAutoRead(on);
      }
    });
  }

  /** Marks the link closed, lets {@link Events#closing()} run, closes the channel and the loop. */
  void close() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    loop.execute(() -> {
      closed = true;
      events.closing();
      Channel ch = channel;
      if (ch != null) {
        ch.close().addListener(x -> done.complete(null));
      } else {
        done.complete(null);
      }
    });
    try {
      done.get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      // closing anyway
    }
    if (ownGroup != null) {
      ownGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
  }
}
