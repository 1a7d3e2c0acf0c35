package dev.backchannel.netty.relay;

import static dev.backchannel.netty.relay.RelayTestSupport.random;
import static org.assertj.core.api.Assertions.assertThat;

import dev.backchannel.api.RelayAddress;
import dev.backchannel.netty.client.RelayLink;
import dev.backchannel.netty.relay.RelayTestSupport.Box;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durability: a relay in its own process is killed with SIGKILL in the middle of a stream of
 * sends and restarted on the same data directory. Every envelope it acknowledged is delivered,
 * none twice to the application after dedupe, and the senders' outboxes resend the rest.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class RelayCrashIntegrationTest {
  private static final int MESSAGES = 2000;
  /** Kills per run: 5 in the test command, more with -Dbackchannel.relayKills=20. */
  private static final int KILLS = Integer.getInteger("backchannel.relayKills", 5);

  @TempDir Path dir;

  private static Process startRelay(Path dir, int port, RelayAddress[] address) throws Exception {
    return RelayTestSupport.startRelayProcess(dir, port, address);
  }

  @Test
  void everyAcknowledgedEnvelopeSurvivesSigkill() throws Exception {
    RelayAddress[] address = new RelayAddress[1];
    Process current = startRelay(dir, 0, address);
    List<Process> processes = new ArrayList<>(List.of(current));
    int port = address[0].port();
    java.util.Random rng = new java.util.Random(42);
    java.util.Set<Integer> killAt = new java.util.TreeSet<>();
    while (killAt.size() < KILLS) {
      killAt.add(200 + rng.nextInt(MESSAGES - 400));
    }
    int kills = 0;
    try (RelayLink receiver = RelayTestSupport.link(address[0]);
        RelayLink sender = RelayTestSupport.link(address[0])) {
      Box box = new Box().create(receiver);
      Set<ByteBuffer> delivered = ConcurrentHashMap.newKeySet();
      AtomicInteger duplicates = new AtomicInteger();
      receiver.subscribe(box.id, box.owner, d -> {
        if (!delivered.add(ByteBuffer.wrap(d.messageId()))) {
          duplicates.incrementAndGet(); // at-least-once: the application drops it
        }
        receiver.ack(box.id, d.messageId());
      }).get(20, TimeUnit.SECONDS);

      Set<ByteBuffer> acked = ConcurrentHashMap.newKeySet();
      Set<ByteBuffer> sent = ConcurrentHashMap.newKeySet();
      List<CompletableFuture<Void>> futures = new ArrayList<>();
      Semaphore window = new Semaphore(64);
      for (int i = 0; i < MESSAGES; i++) {
        byte[] mid = random(16);
        sent.add(ByteBuffer.wrap(mid));
        window.acquire();
        CompletableFuture<Void> f = sender.send(box.id, mid, ("message " + i).getBytes(StandardCharsets.UTF_8));
        // The future of whenComplete completes after the callback ran: waiting on it (not on f)
        // makes sure every acknowledgement is counted before the assertions.
        futures.add(f.whenComplete((v, e) -> {
          window.release();
          if (e == null) {
            acked.add(ByteBuffer.wrap(mid));
          }
        }));
        if (killAt.contains(i)) {
          int before = acked.size();
          // Let some acknowledgements in first, so each kill lands mid-stream.
          while (acked.size() < Math.min(before + 20, i - 64) && acked.size() < i) {
            Thread.sleep(1);
          }
          Thread.sleep(rng.nextInt(20));
          current.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL
          assertThat(acked.size()).isLessThan(MESSAGES);
          kills++;
          current = startRelay(dir, port, address);
          processes.add(current);
        }
      }
      CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).get(120, TimeUnit.SECONDS);
      assertThat(acked).hasSize(MESSAGES);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (delivered.size() < MESSAGES && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(delivered).as("every acknowledged envelope is delivered").containsAll(acked);
      assertThat(sent).containsAll(delivered);
      // After dedupe the application saw each message exactly once; raw redeliveries are
      // allowed by the at-least-once contract and counted here for the record.
      assertThat(delivered).hasSize(MESSAGES);
      assertThat(kills).isEqualTo(KILLS);
      System.out.printf("crash test: %d sent, %d kills, %d delivered once each, %d raw redeliveries dropped%n",
          MESSAGES, kills, delivered.size(), duplicates.get());
    } finally {
      for (Process p : processes) {
        p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    }
  }
}
