package dev.backchannel.netty.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backchannel.api.Conversation;
import dev.backchannel.api.Message;
import dev.backchannel.api.Peer;
import dev.backchannel.api.RelayAddress;
import dev.backchannel.netty.relay.RelayTestSupport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7's crash test at the application's level: two live peers talk through a relay process
 * that is killed with SIGKILL at seeded random moments while one of them sends, and restarted
 * on its data directory. Every message the sender was told is sent reaches the other
 * application exactly once, with its own text under its own sequence number, and the
 * conversation goes on both ways. {@code -Dbackchannel.relayKills=20} for the long variant.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class PeersThroughRelayCrashIntegrationTest {
  private static final int MESSAGES = 300;
  private static final int KILLS = Integer.getInteger("backchannel.relayKills", 5);
  @TempDir Path dir;

  @Test
  void noMessageIsLostOrShownTwiceWhenTheRelayIsKilled() throws Exception {
    RelayAddress[] address = new RelayAddress[1];
    Path relayDir = dir.resolve("relay");
    List<Process> processes = new ArrayList<>();
    processes.add(RelayTestSupport.startRelayProcess(relayDir, 0, address));
    int port = address[0].port();
    Random rng = new Random(7);
    TreeSet<Integer> killAt = new TreeSet<>();
    while (killAt.size() < KILLS) {
      killAt.add(20 + rng.nextInt(MESSAGES - 40));
    }
    try (Peer alice = Peer.builder().stateDirectory(dir.resolve("alice")).relay(address[0]).build();
        Peer bob = Peer.builder().stateDirectory(dir.resolve("bob")).relay(address[0]).build()) {
      PeerTestSupport.Pair pair = PeerTestSupport.introduce(alice, bob);
      Conversation toAlice = pair.toAlice();
      Conversation toBob = pair.toBob();

      List<CompletableFuture<Long>> sends = new ArrayList<>();
      List<String> texts = new ArrayList<>();
      for (int i = 0; i < MESSAGES; i++) {
        String text = "through the crash " + i;
        texts.add(text);
        sends.add(toAlice.send(text));
        if (killAt.contains(i)) {
          Thread.sleep(rng.nextInt(50));
          processes.get(processes.size() - 1).destroyForcibly().waitFor(30, TimeUnit.SECONDS);
          processes.add(RelayTestSupport.startRelayProcess(relayDir, port, address));
        } else if (i % 10 == 0) {
          Thread.sleep(5);
        }
      }
      Map<Long, String> bySequence = new HashMap<>();
      for (int i = 0; i < MESSAGES; i++) {
        bySequence.put(sends.get(i).get(120, TimeUnit.SECONDS), texts.get(i));
      }
      assertThat(bySequence).as("each send has its own sequence number").hasSize(MESSAGES);

      Map<Long, String> shown = new HashMap<>();
      while (shown.size() < MESSAGES) {
        Optional<Message> m = toBob.receive(Duration.ofSeconds(60));
        assertThat(m).as("all %d sent messages arrive (got %d)", MESSAGES, shown.size()).isPresent();
        assertThat(shown.put(m.get().sequence(), m.get().text())).as("sequence %d shown twice", m.get().sequence())
            .isNull();
        assertThat(m.get().text()).isEqualTo(bySequence.get(m.get().sequence()));
      }
      assertThat(toBob.receive(Duration.ofSeconds(2))).as("nothing more").isEmpty();
      System.out.printf("peers through relay crashes: %d messages, %d SIGKILLs, %d shown once each%n",
          MESSAGES, KILLS, shown.size());

      toBob.send("after the crashes").get(60, TimeUnit.SECONDS);
      assertThat(toAlice.receive(Duration.ofSeconds(60)).orElseThrow().text()).isEqualTo("after the crashes");
    } finally {
      for (Process p : processes) {
        p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    }
  }
}
