package dev.backchannel.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backchannel.api.error.QuotaExceededException;
import dev.backchannel.api.error.RelayErrorCode;
import dev.backchannel.api.error.RelayRejectedException;
import dev.backchannel.crypto.Ed25519;
import dev.backchannel.crypto.SecretBytes;
import dev.backchannel.netty.client.Delivery;
import dev.backchannel.netty.client.RelayLink;
import dev.backchannel.netty.internal.wire.Frame;
import dev.backchannel.netty.relay.RelayConfig;
import dev.backchannel.netty.relay.RelayServer;
import dev.backchannel.netty.relay.RelayTestSupport;
import dev.backchannel.netty.relay.RelayTestSupport.Box;
import dev.backchannel.netty.relay.RelayTestSupport.Opened;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay's abuse defences that depend on the shared store, checked across two relay nodes on
 * one Redis Cluster (each node its own {@link RedisMailboxStore}; a third store looks at what the
 * cluster holds): a mailbox's quota holds when it is filled through both nodes at once, a resend
 * of one message id through the other node is stored once (also after the acknowledgement, while
 * its tombstone lasts), a locked or deleted mailbox refuses sends through the other node (the
 * store's write step checks the lock and existence, whatever a node has cached) and a deleted one
 * refuses subscriptions there (a node reads the record fresh to subscribe),
 * oversized and malformed frames are refused by either node, and a reader that stops reading on
 * one node does not slow a good client on the other.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RedisRelayAbuseIntegrationTest {
  @TempDir Path dir;
  private final Opened opened = new Opened();
  private RedisStoreConfig config;
  private RedisMailboxStore cluster;

  @BeforeAll
  static void warmUp() throws Exception {
    RedisMailboxStore.open(RedisClusterHarness.shared().config("warmup").build()).close();
  }

  @BeforeEach
  void openStore() throws Exception {
    config = RedisClusterHarness.shared().config(ClusterNodes.prefix("abuse")).build();
    cluster = opened.add(RedisMailboxStore.open(config));
  }

  @AfterEach
  void closeAll() throws Exception {
    opened.close();
  }

  /** Two relay nodes on the cluster with the same settings; each closes its own store. */
  private RelayServer[] nodes(UnaryOperator<RelayConfig.Builder> settings) throws Exception {
    RelayServer a = opened.relay(settings.apply(RelayConfig.builder(dir.resolve("a"))
        .mailboxStore(RedisMailboxStore.open(config))));
    RelayServer b = opened.relay(settings.apply(RelayConfig.builder(dir.resolve("b"))
        .mailboxStore(RedisMailboxStore.open(config))));
    return new RelayServer[] {a, b};
  }

  /** A link that reports a refusal at once instead of retrying it in the background. */
  private RelayLink noRetry(RelayServer relay) throws Exception {
    RelayLink l = opened.add(RelayLink.builder(relay.address()).retryRefusedSends(false)
        .reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(300)).build());
    l.awaitConnected(Duration.ofSeconds(20));
    return l;
  }

  private static RelayErrorCode refusal(CompletableFuture<?> f) throws Exception {
    try {
      f.get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RelayRejectedException r) {
        return r.code();
      }
      if (e.getCause() instanceof QuotaExceededException) {
        return RelayErrorCode.QUOTA_EXCEEDED;
      }
      throw e;
    }
    throw new AssertionError("accepted, expected a refusal");
  }

  @Test
  void aMailboxFilledThroughBothNodesAtOnceStopsAtItsQuota() throws Exception {
    RelayServer[] n = nodes(b -> b.maxEnvelopesPerMailbox(40).maxRequestsPerSecond(100_000));
    Box box = new Box().create(opened.link(n[0]));
    RelayLink[] flooders = {noRetry(n[0]), noRetry(n[1])};
    AtomicInteger[] accepted = {new AtomicInteger(), new AtomicInteger()};
    AtomicInteger refused = new AtomicInteger();
    Semaphore window = new Semaphore(64);
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      int via = i % 2;
      window.acquire();
      all.add(flooders[via].send(box.id, RelayTestSupport.random(16), RelayTestSupport.random(512))
          .whenComplete((v, e) -> {
            window.release();
            if (e == null) {
              accepted[via].incrementAndGet();
            } else if (e instanceof QuotaExceededException || e.getCause() instanceof QuotaExceededException) {
              refused.incrementAndGet();
            }
          }).exceptionally(e -> null));
    }
    CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
    System.out.printf("quota across nodes: 400 sends through two nodes at a 40-envelope mailbox: %d stored"
        + " through node 1, %d through node 2, %d refused as QUOTA_EXCEEDED%n",
        accepted[0].get(), accepted[1].get(), refused.get());
    assertThat(accepted[0].get() + accepted[1].get()).as("stored through both nodes together").isEqualTo(40);
    assertThat(refused.get()).isEqualTo(360);
    assertThat(cluster.usage(box.id).envelopes()).as("what the cluster holds").isEqualTo(40);
  }

  @Test
  void aResendThroughTheOtherNodeIsStoredOnceAlsoAfterTheAcknowledgement() throws Exception {
    RelayServer[] n = nodes(b -> b);
    RelayLink owner = opened.link(n[0]);
    Box box = new Box().create(owner).subscribe(owner);
    RelayLink viaA = opened.link(n[0]);
    RelayLink viaB = opened.link(n[1]);
    byte[] mid = RelayTestSupport.random(16);
    byte[] body = RelayTestSupport.random(300);
    viaA.send(box.id, mid, body).get(20, TimeUnit.SECONDS);
    viaB.send(box.id, mid, body).get(20, TimeUnit.SECONDS); // a retry by id: acknowledged, not stored
    assertThat(cluster.usage(box.id).envelopes()).as("stored once").isEqualTo(1);
    Delivery d = box.next();
    assertThat(d.messageId()).isEqualTo(mid);
    owner.ack(box.id, mid).get(20, TimeUnit.SECONDS);
    assertThat(cluster.usage(box.id).envelopes()).as("deleted by the acknowledgement").isZero();
    // A late resend through the other node after the acknowledgement: the tombstone recognises it.
    viaB.send(box.id, mid, body).get(20, TimeUnit.SECONDS);
    assertThat(cluster.usage(box.id).envelopes()).as("not stored again while tombstoned").isZero();
    assertThat(cluster.read(box.id, 0, 10)).isEmpty();
    assertThat(box.received.poll(500, TimeUnit.MILLISECONDS)).as("not delivered again").isNull();
  }

  @Test
  void aMailboxLockedThroughOneNodeRefusesOtherSendersThroughTheOther() throws Exception {
    RelayServer[] n = nodes(b -> b);
    RelayLink owner = opened.link(n[0]);
    Box box = new Box().create(owner);
    SecretBytes sender = Ed25519.generatePrivateKey();
    owner.lock(box.id, box.owner, Ed25519.publicKey(sender)).get(20, TimeUnit.SECONDS);

    RelayLink stranger = noRetry(n[1]);
    assertThat(refusal(stranger.send(box.id, RelayTestSupport.random(16), new byte[] {1})))
        .as("an unsigned send through the other node").isEqualTo(RelayErrorCode.LOCKED);
    RelayLink impostor = noRetry(n[1]);
    impostor.useSenderKey(box.id, Ed25519.generatePrivateKey());
    assertThat(refusal(impostor.send(box.id, RelayTestSupport.random(16), new byte[] {2})))
        .as("a send signed by another key through the other node").isIn(RelayErrorCode.LOCKED,
            RelayErrorCode.UNAUTHORIZED);
    assertThat(refusal(stranger.lock(box.id, Ed25519.generatePrivateKey(), RelayTestSupport.random(32))))
        .as("a lock by someone else through the other node").isEqualTo(RelayErrorCode.UNAUTHORIZED);
    assertThat(cluster.usage(box.id).envelopes()).as("nothing stored by the refused sends").isZero();

    RelayLink locked = noRetry(n[1]);
    locked.useSenderKey(box.id, sender);
    locked.send(box.id, RelayTestSupport.random(16), new byte[] {3}).get(20, TimeUnit.SECONDS);
    assertThat(cluster.usage(box.id).envelopes()).as("the locked-in sender is served").isEqualTo(1);
  }

  @Test
  void aMailboxDeletedThroughOneNodeRefusesSendsThroughTheOther() throws Exception {
    RelayServer[] n = nodes(b -> b);
    RelayLink owner = opened.link(n[0]);
    Box box = new Box().create(owner);
    RelayLink viaB = noRetry(n[1]);
    viaB.send(box.id, RelayTestSupport.random(16), new byte[] {1}).get(20, TimeUnit.SECONDS);
    assertThat(refusal(viaB.deleteMailbox(box.id, Ed25519.generatePrivateKey())))
        .as("a delete by someone else through the other node").isEqualTo(RelayErrorCode.UNAUTHORIZED);
    owner.deleteMailbox(box.id, box.owner).get(20, TimeUnit.SECONDS);
    assertThat(cluster.mailbox(box.id)).isEmpty();
    assertThat(refusal(viaB.send(box.id, RelayTestSupport.random(16), new byte[] {2})))
        .as("a send through the other node after the delete").isEqualTo(RelayErrorCode.NO_SUCH_MAILBOX);
    // Node 2 cached the record when it served the send above; a subscription reads it fresh.
    assertThat(refusal(viaB.subscribe(box.id, box.owner, d -> { })))
        .as("a subscription through the other node after the delete").isEqualTo(RelayErrorCode.NO_SUCH_MAILBOX);
    RelayLink fresh = noRetry(n[1]);
    assertThat(refusal(fresh.send(box.id, RelayTestSupport.random(16), new byte[] {3})))
        .as("a send on a new connection to the other node").isEqualTo(RelayErrorCode.NO_SUCH_MAILBOX);
    assertThat(cluster.usage(box.id).envelopes()).isZero();
  }

  @Test
  void oversizedAndMalformedFramesAreRefusedByEitherNodeAndOthersAreServed() throws Exception {
    RelayServer[] n = nodes(b -> b.maxEnvelopeBytes(1024));
    RelayLink owner = opened.link(n[0]);
    Box box = new Box().create(owner);
    for (RelayServer node : n) {
      try (SSLSocket s = rawTls(node)) {
        DataInputStream in = new DataInputStream(s.getInputStream());
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        assertThat(readFrame(in).hasHello()).isTrue();
        out.writeInt(Integer.MAX_VALUE);
        out.flush();
        assertThat(readFrame(in).getError().getCode().name()).isEqualTo("TOO_LARGE");
        assertThat(closedByPeer(s)).as("cut off after an oversized frame").isTrue();
      }
      try (SSLSocket s = rawTls(node)) {
        DataInputStream in = new DataInputStream(s.getInputStream());
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        readFrame(in);
        out.writeInt(6);
        out.write(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f});
        out.flush();
        assertThat(readFrame(in).getError().getCode().name()).isEqualTo("BAD_REQUEST");
        assertThat(closedByPeer(s)).as("cut off after a malformed frame").isTrue();
      }
    }
    RelayLink viaB = noRetry(n[1]);
    assertThat(refusal(viaB.send(box.id, RelayTestSupport.random(16), new byte[2048])))
        .as("an envelope over the node's limit").isEqualTo(RelayErrorCode.TOO_LARGE);
    assertThat(cluster.usage(box.id).envelopes()).isZero();
    viaB.send(box.id, RelayTestSupport.random(16), new byte[1024]).get(20, TimeUnit.SECONDS);
    owner.ping().get(20, TimeUnit.SECONDS);
    assertThat(cluster.usage(box.id).envelopes()).isEqualTo(1);
    assertThat(n[0].counters().rejected()).isPositive();
    assertThat(n[1].counters().rejected()).isPositive();
  }

  @Test
  void aReaderThatStopsReadingOnOneNodeDoesNotSlowAGoodClientOnTheOther() throws Exception {
    RelayServer[] n = nodes(b -> b.maxRequestsPerSecond(100_000));
    CountDownLatch released = new CountDownLatch(1);
    // The slow reader on node 1: its listener blocks the link's only thread, so it stops reading.
    RelayLink slow = opened.add(RelayLink.builder(n[0].address()).callbackExecutor(Runnable::run)
        .requestTimeout(Duration.ofSeconds(60)).build());
    slow.awaitConnected(Duration.ofSeconds(20));
    Box flooded = new Box().create(slow);
    AtomicInteger got = new AtomicInteger();
    slow.subscribe(flooded.id, flooded.owner, d -> {
      try {
        released.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      got.incrementAndGet();
    }).get(20, TimeUnit.SECONDS);

    RelayLink sender = opened.link(n[1]);
    RelayLink good = opened.link(n[1]);
    Box other = new Box().create(good).subscribe(good);
    int count = 300; // 300 x 32 KiB stored for a reader on node 1 that does not read
    CompletableFuture<Void> flooding = CompletableFuture.runAsync(() -> {
      try {
        for (int i = 0; i < count; i++) {
          sender.send(flooded.id, RelayTestSupport.random(16), RelayTestSupport.random(32_768)).get(20, TimeUnit.SECONDS);
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    List<Long> micros = new ArrayList<>();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
    int i = 0;
    while (!flooding.isDone() || System.nanoTime() < until) {
      long start = System.nanoTime();
      byte[] body = ("good " + i++).getBytes(java.nio.charset.StandardCharsets.UTF_8);
      good.send(other.id, RelayTestSupport.random(16), body).get(10, TimeUnit.SECONDS);
      assertThat(other.next().body()).isEqualTo(body);
      micros.add((System.nanoTime() - start) / 1_000);
      Thread.sleep(20);
    }
    flooding.get(60, TimeUnit.SECONDS);
    micros.sort(null);
    long p99 = micros.get((int) Math.ceil(micros.size() * 0.99) - 1);
    System.out.printf("slow reader on node 1, %d x 32 KiB sent through node 2: good client's send-and-receive"
        + " p99 %.1f ms on node 2 over %d round trips%n", count, p99 / 1e3, micros.size());
    assertThat(p99).as("good client's send-to-delivery p99 (µs)").isLessThan(1_000_000);
    assertThat(cluster.usage(flooded.id).envelopes()).isEqualTo(count);

    released.countDown();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (got.get() < count && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(got.get()).as("everything arrives once the reader reads again").isEqualTo(count);
  }

  /** A raw TLS client that trusts anything: the attacker's own code, not our link. */
  private static SSLSocket rawTls(RelayServer relay) throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLSv1.3");
    ctx.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
    SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", relay.address().port());
    s.setSoTimeout(20_000);
    s.startHandshake();
    return s;
  }

  private static Frame readFrame(DataInputStream in) throws IOException {
    byte[] b = new byte[in.readInt()];
    in.readFully(b);
    return Frame.parseFrom(b);
  }

  private static boolean closedByPeer(SSLSocket s) {
    try {
      return s.getInputStream().read() < 0;
    } catch (IOException e) {
      return true;
    }
  }
}
