package dev.backchannel.netty.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backchannel.api.error.RelayErrorCode;
import dev.backchannel.api.error.RelayRejectedException;
import dev.backchannel.api.error.RelayUnavailableException;
import dev.backchannel.crypto.Ed25519;
import dev.backchannel.netty.client.RelayLink;
import dev.backchannel.netty.internal.auth.CommandAuth;
import dev.backchannel.netty.internal.wire.Frame;
import dev.backchannel.netty.internal.wire.Subscribe;
import dev.backchannel.netty.relay.RelayTestSupport.Box;
import com.google.protobuf.ByteString;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Misbehaving clients against a real relay over TLS: they get errors or closed connections, and
 * well-behaved clients keep being served.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RelayAbuseIntegrationTest {
  @TempDir Path dir;
  private final RelayTestSupport.Opened opened = new RelayTestSupport.Opened();

  @AfterEach
  void closeAll() throws Exception {
    opened.close();
  }

  private RelayServer relay(RelayConfig.Builder b) throws Exception {
    return opened.relay(b);
  }

  private RelayLink open(RelayServer relay) throws Exception {
    return opened.link(relay);
  }

  /** A raw TLS client that trusts anything: the attacker's own code, not our link. */
  static SSLSocket rawTls(RelayServer relay) throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLSv1.3");
    ctx.init(null, new TrustManager[] {new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] c, String a) {}

      @Override
      public void checkServerTrusted(X509Certificate[] c, String a) {}

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    }}, null);
    SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", relay.address().port());
    s.setSoTimeout(20_000);
    s.startHandshake();
    return s;
  }

  static Frame readFrame(DataInputStream in) throws IOException {
    int n = in.readInt();
    byte[] b = new byte[n];
    in.readFully(b);
    return Frame.parseFrom(b);
  }

  private static void writeFrame(DataOutputStream out, Frame f) throws IOException {
    byte[] b = f.toByteArray();
    out.writeInt(b.length);
    out.write(b);
    out.flush();
  }

  private static boolean closedByPeer(Socket s) {
    try {
      return s.getInputStream().read() < 0;
    } catch (IOException e) {
      return true;
    }
  }

  @Test
  void garbageOverTlsIsCutOffAndOthersAreStillServed() throws Exception {
    RelayServer relay = relay(RelayConfig.builder(dir));
    RelayLink good = open(relay);
    try (SSLSocket bad = rawTls(relay)) {
      DataInputStream in = new DataInputStream(bad.getInputStream());
      DataOutputStream out = new DataOutputStream(bad.getOutputStream());
      assertThat(readFrame(in).hasHello()).isTrue();
      out.writeInt(Integer.MAX_VALUE);
      out.flush();
      assertThat(readFrame(in).getError().getCode().name()).isEqualTo("TOO_LARGE");
      assertThat(closedByPeer(bad)).isTrue();
    }
    good.ping().get(20, TimeUnit.SECONDS);
    assertThat(relay.counters().rejected()).isPositive();
  }

  /** Checklist 15: a subscribe signature made for one connection is refused on another. */
  @Test
  void signedCommandsCannotBeReplayedOnAnotherConnection() throws Exception {
    RelayServer relay = relay(RelayConfig.builder(dir));
    Box box = new Box().create(open(relay));
    Frame captured;
    try (SSLSocket first = rawTls(relay)) {
      DataInputStream in = new DataInputStream(first.getInputStream());
      DataOutputStream out = new DataOutputStream(first.getOutputStream());
      byte[] challenge = readFrame(in).getHello().getChallenge().toByteArray();
      captured = Frame.newBuilder().setRequestId(1).setSubscribe(Subscribe.newBuilder()
          .setMailboxId(ByteString.copyFrom(box.id))
          .setSignature(ByteString.copyFrom(Ed25519.sign(box.owner,
              CommandAuth.message(CommandAuth.SUBSCRIBE, challenge, box.id, null))))).build();
      writeFrame(out, captured);
      assertThat(readFrame(in).hasOk()).isTrue();
    }
    try (SSLSocket replay = rawTls(relay)) {
      DataInputStream in = new DataInputStream(replay.getInputStream());
      DataOutputStream out = new DataOutputStream(replay.getOutputStream());
      readFrame(in); // a fresh challenge
      writeFrame(out, captured);
      assertThat(readFrame(in).getError().getCode().name()).isEqualTo("UNAUTHORIZED");
    }
  }

  @Test
  void silentConnectionsAreClosedByTheHandshakeAndIdleTimeouts() throws Exception {
    RelayServer relay = relay(RelayConfig.builder(dir)
        .handshakeTimeout(Duration.ofMillis(500)).idleTimeout(Duration.ofMillis(800)));
    RelayLink good = open(relay);
    try (Socket silent = new Socket("127.0.0.1", relay.address().port());
        SSLSocket idle = rawTls(relay)) {
      silent.setSoTimeout(10_000);
      long start = System.nanoTime();
      assertThat(closedByPeer(silent)).isTrue(); // never started TLS
      DataInputStream in = new DataInputStream(idle.getInputStream());
      readFrame(in);
      assertThat(closedByPeer(idle)).isTrue(); // TLS done, then nothing sent
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(9));
    }
    // The link's own connection went idle too: it reconnects and is served. A ping written just
    // as the relay closes the idle connection fails as lost (requests other than sends are not
    // resent), so the next one goes over the new connection.
    for (int attempt = 1; ; attempt++) {
      try {
        good.ping().get(20, TimeUnit.SECONDS);
        break;
      } catch (java.util.concurrent.ExecutionException e) {
        assertThat(e.getCause()).isInstanceOf(dev.backchannel.api.error.RelayUnavailableException.class);
        assertThat(attempt).as("served after reconnecting").isLessThan(3);
      }
    }
  }

  @Test
  void requestFloodIsPacedToTheRateInOrder() throws Exception {
    RelayServer relay = relay(RelayConfig.builder(dir).maxRequestsPerSecond(5));
    RelayLink flooder = open(relay);
    RelayLink good = open(relay);
    List<CompletableFuture<Void>> pings = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      pings.add(flooder.ping());
    }
    // Over the rate, requests wait (the relay stops reading) instead of being refused, so a
    // client's order is kept; the burst allowance is two seconds' worth.
    Thread.sleep(1000);
    long doneAfterOneSecond = pings.stream().filter(CompletableFuture::isDone).count();
    assertThat(doneAfterOneSecond).as("paced to 5/s after a burst of 10").isLessThanOrEqualTo(20);
    good.ping().get(5, TimeUnit.SECONDS); // another connection is not held up
    for (CompletableFuture<Void> p : pings) {
      p.get(30, TimeUnit.SECONDS);
    }
    assertThat(relay.counters().rateLimited()).isPositive();
  }

  @Test
  void connectionsBeyondTheLimitAreRefused() throws Exception {
    RelayServer relay = relay(RelayConfig.builder(dir).maxConnections(2));
    open(relay);
    open(relay);
    RelayLink third = RelayLink.builder(relay.address())
        .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(100)).build();
    opened.add(third);
    try {
      third.awaitConnected(Duration.ofSeconds(2));
      throw new AssertionError("a third connection was served");
    } catch (RelayUnavailableException expected) {
      assertThat(relay.counters().rejected()).isPositive();
    }
  }

  /**
   * Checklist 31 (reduced for the test run): 1,000 connections that never finish the TLS
   * handshake are closed by the handshake timeout, and a well-behaved client is served quickly
   * all along.
   */
  @Test
  void slowlorisConnectionsAreClosedWhileAGoodClientIsServed() throws Exception {
    RelayServer relay = relay(RelayConfig.builder(dir).handshakeTimeout(Duration.ofSeconds(2))
        .limits(RelayScaleAbuseIntegrationTest.loopbackCrowd(1_100)));
    RelayLink good = open(relay);
    List<Socket> slow = new ArrayList<>();
    try {
      for (int i = 0; i < 1000; i++) {
        Socket s = new Socket("127.0.0.1", relay.address().port());
        s.getOutputStream().write(0x16); // one byte of a TLS record, then nothing
        slow.add(s);
      }
      List<Long> latencies = new ArrayList<>();
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(4);
      while (System.nanoTime() < until) {
        long start = System.nanoTime();
        good.ping().get(10, TimeUnit.SECONDS);
        latencies.add((System.nanoTime() - start) / 1_000_000);
        Thread.sleep(20);
      }
      latencies.sort(null);
      long p99Millis = latencies.get((int) Math.ceil(latencies.size() * 0.99) - 1);
      System.out.printf("slowloris: 1000 slow connections, good client's ping p99 %d ms over %d pings%n",
          p99Millis, latencies.size());
      assertThat(p99Millis).as("good client's p99 during the attack").isLessThan(1000);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (relay.counters().connections() > 1 && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(relay.counters().connections()).as("slow connections closed").isEqualTo(1);
    } finally {
      for (Socket s : slow) {
        s.close();
      }
    }
  }
}
