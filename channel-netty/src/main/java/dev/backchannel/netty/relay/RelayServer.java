package dev.backchannel.netty.relay;

import dev.backchannel.api.RelayAddress;
import dev.backchannel.api.error.BackchannelException;
import dev.backchannel.api.error.RelayUnavailableException;
import dev.backchannel.netty.relay.store.MailboxStore;
import dev.backchannel.netty.internal.pipeline.Transport;
import dev.backchannel.netty.internal.tls.RelayKeyFile;
import dev.backchannel.netty.internal.tls.RelayKeyMaterial;
import dev.backchannel.netty.store.RocksDbMailboxStore;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running relay node: accepts TLS 1.3 connections, keeps mailboxes in a durable
 * {@link MailboxStore}, acknowledges a send only once the envelope is durable, pushes envelopes
 * to subscribed recipients and deletes them when acknowledged.
 *
 * <p>On first start it creates its key and self-signed certificate in the data directory, or in
 * the configured key file, and reuses them afterwards, so its {@link #address()} stays the same;
 * the nodes of a relay cluster share one key file and advertise one endpoint list, so they all
 * have the same address. It knows no identities; logs
 * show at most truncated mailbox ids and counts.
 *
 * <pre>{@code
 * try (RelayServer relay = RelayServer.start(RelayConfig.builder(Path.of("relay-data")).port(0).build())) {
 *   System.out.println("relay address: " + relay.address());
 *   relay.awaitTermination(Duration.ofDays(365));
 * }
 * }</pre>
 *
 * <p>Thread-safe. {@link #close()} is idempotent and bounded: it stops accepting, closes the
 * connections (in-flight stores finish first), then closes the store.
 *
 * @since 0.1
 */
public final class RelayServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RelayServer.class);

  private final RelayConfig config;
  private final EventLoopGroup group;
  private final Channel serverChannel;
  private final ChannelGroup channels;
  private final MailboxStore store;
  private final ExecutorService storeExecutor;
  private final ScheduledExecutorService sweeper;
  private final RelayCounters counters;
  private final RelayAddress address;
  private final AtomicBoolean closing = new AtomicBoolean();
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();

  private RelayServer(
      RelayConfig config, EventLoopGroup group, Channel serverChannel, ChannelGroup channels,
      MailboxStore store, ExecutorService storeExecutor, ScheduledExecutorService sweeper,
      RelayCounters counters, RelayAddress address) {
    this.config = config;
    this.group = group;
    this.serverChannel = serverChannel;
    this.channels = channels;
    this.store = store;
    this.storeExecutor = storeExecutor;
    this.sweeper = sweeper;
    this.counters = counters;
    this.address = address;
  }

  /**
   * Starts a relay and returns once it accepts connections.
   *
   * @throws dev.backchannel.api.error.StateStoreException if the data directory, key or store
   *     cannot be opened
   * @throws RelayUnavailableException if the address cannot be bound
   */
  public static RelayServer start(RelayConfig config) throws BackchannelException {
    RelayKeyMaterial keys = config.keyFile() != null
        ? RelayKeyFile.loadOrCreate(config.keyFile())
        : RelayKeyMaterial.loadOrCreate(config.dataDirectory());
    SslContext ssl;
    try {
      ssl = keys.serverContext();
    } catch (javax.net.ssl.SSLException e) {
      throw new RelayUnavailableException("cannot set up TLS", e);
    }
    MailboxStore store = config.mailboxStore() != null
        ? config.mailboxStore()
        : new RocksDbMailboxStore(config.dataDirectory().resolve("store"));
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(0, new DefaultThreadFactory("backchannel-relay-io"),
        Transport.ioHandlers());
    Class<? extends ServerChannel> channelClass = Transport.serverChannel();
    // Bounded: a full queue refuses (UNAVAILABLE) instead of growing.
    ExecutorService storeExecutor = new ThreadPoolExecutor(4, 4, 0, TimeUnit.MILLISECONDS,
        new ArrayBlockingQueue<>(config.limits().storeQueueCapacity()), daemon("backchannel-relay-store"));
    ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(daemon("backchannel-relay-sweeper"));
    ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    RelayCounters counters = new RelayCounters();
    Subscriptions subscriptions = new Subscriptions(store, storeExecutor, counters);
    RelayServices services = new RelayServices(config, store, storeExecutor, channels, counters,
        subscriptions, new MailboxRecords(store), new AddressLimits(config.limits()));
    RelayServerInitializer initializer = new RelayServerInitializer(services, ssl);
    Channel server;
    try {
      server = new ServerBootstrap()
          .group(group)
          .channel(channelClass)
          .option(ChannelOption.SO_BACKLOG, 1024)
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childHandler(initializer)
          .bind(config.host(), config.port())
          .sync()
          .channel();
    } catch (Exception e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      storeExecutor.shutdownNow();
      sweeper.shutdownNow();
      store.close();
      throw new RelayUnavailableException(
          "cannot listen on " + config.host() + ":" + config.port() + ": " + e.getMessage(), e);
    }
    int port = ((InetSocketAddress) server.localAddress()).getPort();
    RelayAddress address = config.advertised() != null
        ? RelayAddress.of(keys.pin(), config.advertised())
        : RelayAddress.of(keys.pin(), config.host(), port);
    RelayServer relay = new RelayServer(
        config, group, server, channels, store, storeExecutor, sweeper, counters, address);
    long sweep = Math.max(1, Math.min(60, config.envelopeTtl().toSeconds() / 4));
    sweeper.scheduleWithFixedDelay(relay::sweep, sweep, sweep, TimeUnit.SECONDS);
    LOG.info("relay listening on {}:{} ({})", config.host(), port, Transport.nativeEpoll() ? "epoll" : "nio");
    return relay;
  }

  private void sweep() {
    try {
      int n = store.expire(System.currentTimeMillis());
      if (n > 0) {
        counters.expired.addAndGet(n);
        LOG.info("expired {} envelopes or invitations", n);
      }
    } catch (Exception e) {
      LOG.warn("expiry sweep failed: {}", e.toString());
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * The relay's address with its pinned key: {@code bcr://<key hash>@host:port}, or the
   * advertised endpoints ({@link RelayConfig#advertised()}).
   */
  public RelayAddress address() {
    return address;
  }

  /** The relay's counters now. */
  public RelayCounters.Snapshot counters() {
    return counters.snapshot();
  }

  /** The live counters, for {@link RelayMetrics}. */
  RelayCounters liveCounters() {
    return counters;
  }

  /** The store, for {@link RelayMetrics}. */
  MailboxStore store() {
    return store;
  }

  /** The configuration the relay runs with. */
  public RelayConfig config() {
    return config;
  }

  /** Starts an orderly shutdown; the future completes when it is done. */
  public CompletableFuture<Void> closeAsync() {
    if (closing.compareAndSet(false, true)) {
      Thread t = new Thread(this::shutdown, "backchannel-relay-shutdown");
      t.setDaemon(true);
      t.start();
    }
    return terminated;
  }

  private void shutdown() {
    try {
      serverChannel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
      sweeper.shutdownNow();
      // Let stores already accepted finish (their acks are then sent), then close connections.
      storeExecutor.shutdown();
      storeExecutor.awaitTermination(5, TimeUnit.SECONDS);
      channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
      group.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
      store.close();
      LOG.info("relay stopped");
      terminated.complete(null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      terminated.completeExceptionally(e);
    } catch (RuntimeException e) {
      terminated.completeExceptionally(e);
    }
  }

  /**
   * Waits until the relay has stopped.
   *
   * @return whether it stopped within {@code timeout}
   */
  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    try {
      terminated.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (java.util.concurrent.TimeoutException e) {
      return false;
    } catch (java.util.concurrent.ExecutionException e) {
      return true;
    }
  }

  /** Stops the relay and waits (at most about 30 s) until it has stopped. Idempotent. */
  @Override
  public void close() {
    closeAsync();
    try {
      awaitTermination(Duration.ofSeconds(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "RelayServer[" + address + "]";
  }
}
