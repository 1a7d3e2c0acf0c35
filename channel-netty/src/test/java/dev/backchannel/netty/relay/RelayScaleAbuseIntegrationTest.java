package dev.backchannel.netty.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backchannel.netty.client.Delivery;
import dev.backchannel.netty.client.RelayLink;
import dev.backchannel.netty.relay.RelayTestSupport.Box;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.concurrent.Future;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Abuse of the relay at scale (issue 7, checklist 31/32 and SECURITY-CHECKLIST §4), on loopback
 * over real TLS and bounded in time: 5,000 idle connections, a subscriber that stops reading
 * while its mailbox fills, and one connection holding a thousand subscriptions. Each test reports
 * a well-behaved client's latency during the abuse and checks the relay's memory.
 *
 * <p>{@code -Dbackchannel.longAbuse=true} holds the idle connections for 60 s instead of 5 s.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class RelayScaleAbuseIntegrationTest {
  private static final boolean LONG = Boolean.getBoolean("backchannel.longAbuse");
  @TempDir Path dir;
  private final RelayTestSupport.Opened opened = new RelayTestSupport.Opened();

  @AfterEach
  void closeAll() throws Exception {
    opened.close();
  }


  /** Every client here comes from 127.0.0.1: the per-address limits are raised to let the crowd in. */
  static RelayLimits loopbackCrowd(int connections) {
    return RelayLimits.defaults().withBudgets(connections, RelayLimits.DEFAULT_MAX_CREATIONS_PER_CONNECTION, 100_000);
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** Pings at a steady pace while {@code during} runs; returns the good client's latency histogram. */
  private static Histogram pingWhile(RelayLink good, CompletableFuture<?> during, Duration atLeast)
      throws Exception {
    Histogram h = new Histogram(3);
    long until = System.nanoTime() + atLeast.toNanos();
    while (!during.isDone() || System.nanoTime() < until) {
      long start = System.nanoTime();
      good.ping().get(10, TimeUnit.SECONDS);
      h.recordValue(Math.max(1, (System.nanoTime() - start) / 1_000));
      Thread.sleep(20);
    }
    return h;
  }

  @Test
  void fiveThousandIdleConnectionsAreHeldWhileAGoodClientIsServed() throws Exception {
    int n = 5_000;
    RelayServer relay = opened.relay(RelayConfig.builder(dir).maxConnections(n + 100)
        .limits(loopbackCrowd(n + 100))
        .idleTimeout(Duration.ofMinutes(5)).maxRequestsPerSecond(1_000));
    RelayLink good = opened.link(relay);
    long heapBefore = usedHeapAfterGc();
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    List<Channel> idle = new ArrayList<>(n);
    Histogram connectMicros = new Histogram(3);
    try {
      SslContext ssl = SslContextBuilder.forClient().sslProvider(SslProvider.JDK).protocols("TLSv1.3")
          .trustManager(InsecureTrustManagerFactory.INSTANCE).build();
      int port = relay.address().port();
      Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
          .handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast(ssl.newHandler(ch.alloc(), "127.0.0.1", port));
            }
          });
      CompletableFuture<Void> connecting = CompletableFuture.runAsync(() -> {
        try {
          // 50 handshakes in flight at a time, as a crowd of clients arriving would be.
          for (int i = 0; i < n; i += 50) {
            List<Future<Channel>> wave = new ArrayList<>();
            List<Long> starts = new ArrayList<>();
            for (int j = i; j < Math.min(n, i + 50); j++) {
              starts.add(System.nanoTime());
              ChannelFuture f = b.connect("127.0.0.1", port).syncUninterruptibly();
              wave.add(f.channel().pipeline().get(SslHandler.class).handshakeFuture());
            }
            for (int j = 0; j < wave.size(); j++) {
              Channel ch = wave.get(j).get(20, TimeUnit.SECONDS);
              connectMicros.recordValue(Math.max(1, (System.nanoTime() - starts.get(j)) / 1_000));
              synchronized (idle) {
                idle.add(ch);
              }
            }
          }
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      Histogram duringConnect = pingWhile(good, connecting, Duration.ZERO);
      connecting.join();
      assertThat(idle).hasSize(n);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (relay.counters().connections() < n + 1 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(relay.counters().connections()).isEqualTo(n + 1);
      long heapHeld = usedHeapAfterGc() - heapBefore;
      Histogram duringHold = pingWhile(good, CompletableFuture.completedFuture(null),
          Duration.ofSeconds(LONG ? 60 : 5));
      long heapAfterHold = usedHeapAfterGc() - heapBefore;
      assertThat(idle).allMatch(Channel::isActive);
      System.out.printf(
          "idle connections: %d held %d s; connect p50 %.1f ms p99 %.1f ms; heap +%.1f MiB (%.1f KiB per connection,"
              + " client and relay in one JVM; +%.1f MiB after the hold); good client's ping p99 %.1f ms while"
              + " connecting, %.1f ms while held%n",
          n, LONG ? 60 : 5, connectMicros.getValueAtPercentile(50) / 1e3,
          connectMicros.getValueAtPercentile(99) / 1e3, heapHeld / 1048576.0, heapHeld / 1024.0 / n,
          heapAfterHold / 1048576.0, duringConnect.getValueAtPercentile(99) / 1e3,
          duringHold.getValueAtPercentile(99) / 1e3);
      assertThat(heapHeld).as("heap for 5,000 idle connections").isLessThan(512L * 1024 * 1024);
      assertThat(duringHold.getValueAtPercentile(99)).as("good client's ping p99 (µs)").isLessThan(1_000_000);
      assertThat(connectMicros.getValueAtPercentile(99)).as("connect p99 (µs)").isLessThan(2_000_000);
    } finally {
      for (Channel c : idle) {
        c.close();
      }
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(20, TimeUnit.SECONDS);
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (relay.counters().connections() > 1 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(relay.counters().connections()).as("closed connections are released").isEqualTo(1);
  }

  @Test
  void aSubscriberThatStopsReadingDoesNotMakeTheRelayBufferItsMailbox() throws Exception {
    RelayServer relay = opened.relay(RelayConfig.builder(dir));
    // The slow reader: its listener blocks the link's only thread, so it stops reading the socket.
    CountDownLatch released = new CountDownLatch(1);
    RelayLink slow = RelayLink.builder(relay.address()).callbackExecutor(Runnable::run)
        .requestTimeout(Duration.ofSeconds(60)).build();
    opened.add(slow);
    slow.awaitConnected(Duration.ofSeconds(20));
    Box box = new Box().create(slow);
    List<Delivery> got = new ArrayList<>();
    slow.subscribe(box.id, box.owner, d -> {
      try {
        released.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      synchronized (got) {
        got.add(d);
      }
    }).get(20, TimeUnit.SECONDS);

    RelayLink sender = opened.link(relay);
    RelayLink good = opened.link(relay);
    int count = 800; // 800 x 64 KiB = 50 MiB stored for a reader that does not read
    ByteBufAllocatorMetric metric = ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric();
    long directBefore = metric.usedDirectMemory() + metric.usedHeapMemory();
    CompletableFuture<Void> flooding = CompletableFuture.runAsync(() -> {
      try {
        for (int i = 0; i < count; i++) {
          sender.send(box.id, RelayTestSupport.random(16), RelayTestSupport.random(65_536)).get(20, TimeUnit.SECONDS);
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    Histogram ping = pingWhile(good, flooding, Duration.ofSeconds(1));
    flooding.join();
    Thread.sleep(500);
    long directHeld = metric.usedDirectMemory() + metric.usedHeapMemory() - directBefore;
    System.out.printf("slow reader: %d x 64 KiB stored, Netty buffer memory (%s) +%.1f MiB, good client's ping p99 %.1f ms%n",
        count, ByteBufAllocator.DEFAULT.getClass().getSimpleName(), directHeld / 1048576.0, ping.getValueAtPercentile(99) / 1e3);
    // The relay holds at most a read batch and the socket's high-water mark per subscriber.
    assertThat(directHeld).as("buffered for the slow reader").isLessThan(20L * 1024 * 1024);
    assertThat(ping.getValueAtPercentile(99)).as("good client's ping p99 (µs)").isLessThan(1_000_000);

    released.countDown();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      synchronized (got) {
        if (got.size() >= count) {
          break;
        }
      }
      Thread.sleep(50);
    }
    synchronized (got) {
      assertThat(got).as("everything arrives once the reader reads again").hasSize(count);
    }
  }

  @Test
  void oneConnectionWithAThousandSubscriptionsIsServed() throws Exception {
    RelayServer relay = opened.relay(RelayConfig.builder(dir).maxRequestsPerSecond(100_000)
        .limits(loopbackCrowd(100)));
    RelayLink many = opened.link(relay);
    RelayLink sender = opened.link(relay);
    List<Box> boxes = new ArrayList<>();
    long heapBefore = usedHeapAfterGc();
    for (int i = 0; i < 1_000; i++) {
      boxes.add(new Box().create(many).subscribe(many));
    }
    long heap = usedHeapAfterGc() - heapBefore;
    System.out.printf("1,000 subscriptions on one connection: heap +%.1f MiB%n", heap / 1048576.0);
    assertThat(heap).isLessThan(64L * 1024 * 1024);
    for (int i = 0; i < boxes.size(); i += 97) {
      byte[] body = RelayTestSupport.random(256);
      sender.send(boxes.get(i).id, RelayTestSupport.random(16), body).get(20, TimeUnit.SECONDS);
      assertThat(boxes.get(i).next().body()).isEqualTo(body);
    }
  }

  /**
   * A flood of sends at one mailbox far past its quota: each refused send gets the typed error,
   * the mailbox and the relay's disk stay at the quota, other mailboxes keep working and a
   * well-behaved client's latency is reported.
   */
  @Test
  void aFloodPastOneMailboxsQuotaIsRefusedAndOthersAreServed() throws Exception {
    RelayServer relay = opened.relay(RelayConfig.builder(dir).maxEnvelopesPerMailbox(50)
        .maxBytesPerMailbox(64L * 1024 * 1024).maxRequestsPerSecond(100_000));
    RelayLink owner = opened.link(relay);
    // The flooder hears of every refusal at once instead of retrying in the background.
    RelayLink flooder = opened.add(RelayLink.builder(relay.address()).retryRefusedSends(false)
        .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(300)).build());
    flooder.awaitConnected(Duration.ofSeconds(20));
    RelayLink good = opened.link(relay);
    Box full = new Box().create(owner);
    Box other = new Box().create(owner).subscribe(owner);
    java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
    CompletableFuture<Void> flood = CompletableFuture.runAsync(() -> {
      try {
        java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(64);
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
          window.acquire();
          all.add(flooder.send(full.id, RelayTestSupport.random(16), RelayTestSupport.random(1024))
              .whenComplete((v, e) -> {
                window.release();
                if (e == null) {
                  accepted.incrementAndGet();
                } else if (e instanceof dev.backchannel.api.error.QuotaExceededException
                    || e.getCause() instanceof dev.backchannel.api.error.QuotaExceededException) {
                  refused.incrementAndGet();
                }
              }).exceptionally(e -> null));
        }
        CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).get(120, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    Histogram ping = pingWhile(good, flood, Duration.ofSeconds(1));
    flood.join();
    byte[] body = RelayTestSupport.random(256);
    good.send(other.id, RelayTestSupport.random(16), body).get(20, TimeUnit.SECONDS);
    assertThat(other.next().body()).isEqualTo(body);
    System.out.printf("quota flood: 3,000 sends at a 50-envelope mailbox, %d stored, %d refused as QUOTA_EXCEEDED;"
        + " good client's ping p99 %.1f ms%n", accepted.get(), refused.get(), ping.getValueAtPercentile(99) / 1e3);
    assertThat(accepted.get()).isEqualTo(50);
    assertThat(refused.get()).isEqualTo(3_000 - 50);
    assertThat(ping.getValueAtPercentile(99)).as("good client's ping p99 (µs)").isLessThan(1_000_000);
  }

  /**
   * Slow writers: connections that send most of a large frame and then stall hold at most that
   * partial frame each (bounded by the maximum frame size and the connection limit), are closed
   * by the idle timeout, and a well-behaved client is served meanwhile.
   */
  @Test
  void slowWritersHoldOnlyTheirPartialFrameAndAreClosedWhenIdle() throws Exception {
    int n = 200;
    RelayServer relay = opened.relay(RelayConfig.builder(dir).idleTimeout(Duration.ofSeconds(3)));
    RelayLink good = opened.link(relay);
    ByteBufAllocatorMetric metric = ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric();
    long before = metric.usedDirectMemory() + metric.usedHeapMemory();
    List<javax.net.ssl.SSLSocket> slow = new ArrayList<>();
    try {
      javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLSv1.3");
      ctx.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
      byte[] partial = new byte[4 + 60_000];
      java.nio.ByteBuffer.wrap(partial).putInt(70_000); // announces 70,000 bytes, sends 60,000
      for (int i = 0; i < n; i++) {
        javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) ctx.getSocketFactory()
            .createSocket("127.0.0.1", relay.address().port());
        s.startHandshake();
        s.getOutputStream().write(partial);
        s.getOutputStream().flush();
        slow.add(s);
      }
      Histogram ping = pingWhile(good, CompletableFuture.completedFuture(null), Duration.ofSeconds(1));
      long held = metric.usedDirectMemory() + metric.usedHeapMemory() - before;
      System.out.printf("slow writers: %d connections each 60,000 bytes into a 70,000-byte frame; Netty buffers"
          + " +%.1f MiB; good client's ping p99 %.1f ms%n", n, held / 1048576.0, ping.getValueAtPercentile(99) / 1e3);
      // At most the partial frames themselves (plus TLS and allocator slack): 200 x 60 KB = 11.4 MiB.
      assertThat(held).isLessThan(3L * n * 64 * 1024);
      assertThat(ping.getValueAtPercentile(99)).as("good client's ping p99 (µs)").isLessThan(1_000_000);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (relay.counters().connections() > 1 && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(relay.counters().connections()).as("stalled writers closed by the idle timeout").isEqualTo(1);
    } finally {
      for (java.net.Socket s : slow) {
        s.close();
      }
    }
  }
}
