package dev.backchannel.netty.relay;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.backchannel.netty.client.RelayLink;
import dev.backchannel.netty.internal.wire.FetchInvitation;
import dev.backchannel.netty.internal.wire.Frame;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.DataOutputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checklist 40: a client that stops reading while it keeps sending requests whose replies are
 * large. Before the read gate, one connection fetching a 16 KiB invitation bundle without reading
 * made the relay buffer about 15 MiB of replies per second, without end, and it was never closed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RelayBackpressureIntegrationTest {
  @TempDir Path dir;
  private final RelayTestSupport.Opened opened = new RelayTestSupport.Opened();

  @AfterEach
  void closeAll() throws Exception {
    opened.close();
  }

  private static long allocated(ByteBufAllocatorMetric m) {
    return m.usedDirectMemory() + m.usedHeapMemory();
  }

  @Test
  void aClientThatFetchesWithoutReadingIsBoundedAndClosedWhileAGoodClientIsServed() throws Exception {
    RelayServer relay = opened.relay(RelayConfig.builder(dir)
        .limits(RelayLimits.defaults().withMaxUnwritableTime(Duration.ofSeconds(2))));
    RelayLink good = opened.link(relay);
    byte[] invitation = RelayTestSupport.random(32);
    good.putInvitation(invitation, RelayTestSupport.random(16 * 1024), Instant.now().plusSeconds(3600))
        .get(20, TimeUnit.SECONDS);
    ByteBufAllocatorMetric metric = ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric();
    long before = allocated(metric);

    SSLContext tls = SSLContext.getInstance("TLSv1.3");
    tls.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
    SSLSocket slow = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", relay.address().port());
    opened.add(slow);
    slow.startHandshake();
    AtomicLong sent = new AtomicLong();
    CompletableFuture<Void> attack = CompletableFuture.runAsync(() -> {
      // Never reads; sends FetchInvitation at the rate limit until the relay closes the connection.
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      try {
        OutputStream raw = slow.getOutputStream();
        DataOutputStream out = new DataOutputStream(raw);
        for (long rid = 1; System.nanoTime() < until; rid++) {
          byte[] f = Frame.newBuilder().setRequestId(rid)
              .setFetchInvitation(FetchInvitation.newBuilder().setInvitationId(ByteString.copyFrom(invitation)))
              .build().toByteArray();
          out.writeInt(f.length);
          out.write(f);
          if (rid % 10 == 0) {
            out.flush();
            Thread.sleep(10); // about 1,000 requests/s, the per-connection rate limit
          }
          sent.incrementAndGet();
        }
      } catch (Exception closedByTheRelay) {
        // expected: the relay closed the connection
      }
    });

    long peak = 0;
    int goodPings = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
    while (!attack.isDone() && System.nanoTime() < deadline) {
      peak = Math.max(peak, allocated(metric) - before);
      good.ping().get(10, TimeUnit.SECONDS);
      goodPings++;
      Thread.sleep(20);
    }
    attack.get(30, TimeUnit.SECONDS);
    System.out.printf("slow fetcher: %d FetchInvitation sent (16 KiB replies, never read); peak Netty buffer"
        + " growth %.1f MiB; closed as unwritable: %d; good client served %d pings meanwhile%n",
        sent.get(), peak / 1048576.0, relay.counters().unwritableClosed(), goodPings);
    assertThat(relay.counters().unwritableClosed()).as("the non-reading connection is closed").isEqualTo(1);
    assertThat(sent.get()).as("the attacker sent well past what the relay could buffer").isGreaterThan(1_000);
    assertThat(peak).as("relay buffer growth for one non-reading connection").isLessThan(16L * 1024 * 1024);
    assertThat(goodPings).isGreaterThan(0);
    byte[] fetched = good.fetchInvitation(invitation).get(20, TimeUnit.SECONDS);
    assertThat(fetched).hasSize(16 * 1024);
  }

  /** Connections past the per-address limit get a typed refusal in place of Hello and are closed. */
  @Test
  void connectionsPastThePerAddressLimitAreRefusedTypedAndOthersAreServed() throws Exception {
    RelayServer relay = opened.relay(RelayConfig.builder(dir)
        .limits(RelayLimits.defaults().withBudgets(3, RelayLimits.DEFAULT_MAX_CREATIONS_PER_CONNECTION,
            RelayLimits.DEFAULT_MAX_CREATIONS_PER_ADDRESS_PER_MINUTE)));
    RelayLink good = opened.link(relay);
    SSLContext tls = SSLContext.getInstance("TLSv1.3");
    tls.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
    java.util.List<Frame> first = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", relay.address().port());
      opened.add(s);
      s.setSoTimeout(20_000);
      java.io.DataInputStream in = new java.io.DataInputStream(s.getInputStream());
      byte[] f = new byte[in.readInt()];
      in.readFully(f);
      first.add(Frame.parseFrom(f));
    }
    assertThat(first.get(0).hasHello()).isTrue();
    assertThat(first.get(1).hasHello()).isTrue();
    assertThat(first.get(2).getError().getCode())
        .isEqualTo(dev.backchannel.netty.internal.wire.ErrorCode.TOO_MANY_CONNECTIONS);
    good.ping().get(20, TimeUnit.SECONDS);
  }
}
