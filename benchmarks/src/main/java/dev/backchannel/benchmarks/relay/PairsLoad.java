package dev.backchannel.benchmarks.relay;

import dev.backchannel.api.RelayAddress;
import dev.backchannel.crypto.Ed25519;
import dev.backchannel.crypto.SecretBytes;
import dev.backchannel.netty.client.RelayLink;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * One closed-loop run of {@code pairs} sender/receiver pairs, each sender keeping at most
 * {@code window} envelopes of {@code size} bytes unacknowledged, {@code messages} per sender:
 * through relays (a pair's receiver and sender may be on different relay nodes) or through the
 * plain TLS forwarder. Every run is bounded in time and fails rather than hangs.
 */
final class PairsLoad {
  /** What one run measured: messages per second over all pairs and the end-to-end latency. */
  record Result(double messagesPerSecond, long p50Micros, long p99Micros, long p999Micros, double seconds) {}

  private final int pairs;
  private final int messages;
  private final int size;
  private final int window;

  PairsLoad(int pairs, int messages, int size, int window) {
    this.pairs = pairs;
    this.messages = messages;
    this.size = size;
    this.window = window;
  }

  int pairs() {
    return pairs;
  }

  int messages() {
    return messages;
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    ThreadLocalRandom.current().nextBytes(b);
    return b;
  }

  private byte[] body() {
    byte[] b = new byte[size];
    ByteBuffer.wrap(b).putLong(System.nanoTime());
    return b;
  }

  private Result result(long startNanos, Histogram h) {
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    return new Result(pairs * (double) messages / seconds, h.getValueAtPercentile(50),
        h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), seconds);
  }

  /** Through the TLS forwarder: same pairs, messages, size and window; no store. */
  Result forwarder() throws Exception {
    try (TlsForwarderBaseline fwd = new TlsForwarderBaseline()) {
      Recorder latency = new Recorder(3);
      CountDownLatch done = new CountDownLatch(pairs * messages);
      List<Channel> senders = new ArrayList<>();
      List<Semaphore> windows = new ArrayList<>();
      for (int p = 0; p < pairs; p++) {
        Semaphore w = new Semaphore(window);
        windows.add(w);
        Channel rx = fwd.connect(frame -> {
          long sent = frame.getLong(frame.readerIndex() + 4);
          latency.recordValue(Math.max(0, (System.nanoTime() - sent) / 1000));
          w.release();
          done.countDown();
        });
        rx.writeAndFlush(Unpooled.buffer(4).writeInt(p)).sync();
        senders.add(fwd.connect(frame -> { }));
      }
      Thread.sleep(200);
      long start = System.nanoTime();
      for (int i = 0; i < messages; i++) {
        for (int p = 0; p < pairs; p++) {
          windows.get(p).acquire();
          ByteBuf f = Unpooled.buffer(4 + size).writeInt(p).writeBytes(body());
          senders.get(p).writeAndFlush(f);
        }
      }
      if (!done.await(300, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the forwarder run did not finish");
      }
      return result(start, latency.getIntervalHistogram());
    }
  }

  /**
   * Through relays: pair {@code p}'s receiver subscribes at {@code receiverRelay.apply(p)} and its
   * sender sends through {@code senderRelay.apply(p)}.
   */
  Result relays(IntFunction<RelayAddress> receiverRelay, IntFunction<RelayAddress> senderRelay) throws Exception {
    ExecutorService callbacks = Executors.newFixedThreadPool(2);
    List<RelayLink> links = new ArrayList<>();
    try {
      Recorder latency = new Recorder(3);
      CountDownLatch done = new CountDownLatch(pairs * messages);
      List<byte[]> mailboxes = new ArrayList<>();
      List<RelayLink> senders = new ArrayList<>();
      for (int p = 0; p < pairs; p++) {
        // deliveries on the link's I/O thread, as the Peer runtime takes them
        RelayLink rx = RelayLink.builder(receiverRelay.apply(p)).callbackExecutor(callbacks)
            .deliveryExecutor(Runnable::run).build();
        RelayLink tx = RelayLink.builder(senderRelay.apply(p)).callbackExecutor(callbacks).build();
        links.add(rx);
        links.add(tx);
        rx.awaitConnected(Duration.ofSeconds(30));
        tx.awaitConnected(Duration.ofSeconds(30));
        byte[] mailbox = random(32);
        try (SecretBytes owner = Ed25519.generatePrivateKey()) {
          rx.createMailbox(mailbox, owner).get(30, TimeUnit.SECONDS);
          rx.subscribe(mailbox, owner, d -> {
            long sent = ByteBuffer.wrap(d.body()).getLong();
            latency.recordValue(Math.max(0, (System.nanoTime() - sent) / 1000));
            rx.acknowledge(d.mailboxId(), List.of(d.messageId())); // batched, as the Peer runtime acknowledges
            done.countDown();
          }).get(30, TimeUnit.SECONDS);
        }
        mailboxes.add(mailbox);
        senders.add(tx);
      }
      List<Semaphore> windows = new ArrayList<>();
      for (int p = 0; p < pairs; p++) {
        windows.add(new Semaphore(window));
      }
      long start = System.nanoTime();
      for (int i = 0; i < messages; i++) {
        for (int p = 0; p < pairs; p++) {
          Semaphore w = windows.get(p);
          w.acquire();
          senders.get(p).send(mailboxes.get(p), random(16), body()).whenComplete((v, e) -> w.release());
        }
      }
      if (!done.await(600, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the relay run did not finish: " + done.getCount() + " missing");
      }
      return result(start, latency.getIntervalHistogram());
    } finally {
      for (RelayLink l : links) {
        l.close();
      }
      callbacks.shutdownNow();
    }
  }
}
