package dev.backchannel.netty.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backchannel.api.Peer;
import dev.backchannel.netty.relay.RelayConfig;
import dev.backchannel.netty.relay.RelayServer;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each of the three parties of an introduction is killed (SIGKILL) right after its own step, and
 * an introducee again in the middle of the handshake; restarted on their state, they end with a
 * working conversation.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class IntroductionCrashIntegrationTest {
  @TempDir Path dir;
  private final List<Process> processes = new ArrayList<>();

  private Process start(List<String> out, String... args) throws Exception {
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    List<String> cmd = new ArrayList<>(List.of(java, "-Dorg.slf4j.simpleLogger.logFile=System.err",
        "-cp", System.getProperty("java.class.path"), IntroductionProcessMain.class.getName()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    processes.add(p);
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          out.add(line);
        }
      } catch (Exception e) {
        // process gone
      }
    });
    reader.setDaemon(true);
    reader.start();
    return p;
  }

  private static void waitFor(List<String> out, String prefix, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (out.stream().noneMatch(l -> l.startsWith(prefix)) && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(out).anyMatch(l -> l.startsWith(prefix));
  }

  private static void kill(Process p) throws InterruptedException {
    p.destroyForcibly();
    p.waitFor(30, TimeUnit.SECONDS);
  }

  @Test
  void everyPartyKilledAfterItsStepAndDuringTheHandshakeStillConnects() throws Exception {
    try (RelayServer relay = RelayServer.start(RelayConfig.builder(dir.resolve("relay")).port(0).build())) {
      String address = relay.address().toString();
      String mediator = dir.resolve("mediator").toString();
      String minister = dir.resolve("minister").toString();
      String envoy = dir.resolve("envoy").toString();
      try (Peer m = Peer.builder().stateDirectory(Path.of(mediator)).relay(relay.address()).build();
          Peer a = Peer.builder().stateDirectory(Path.of(minister)).relay(relay.address()).build();
          Peer b = Peer.builder().stateDirectory(Path.of(envoy)).relay(relay.address()).build()) {
        PeerTestSupport.introduce(m, a, "minister", "mediator");
        PeerTestSupport.introduce(m, b, "envoy", "mediator");
      }
      try {
        List<String> out = new CopyOnWriteArrayList<>();
        kill(waitAnd(start(out, "introduce", mediator, address, "minister", "envoy"), out, "introduced"));
        List<String> mOut = new CopyOnWriteArrayList<>();
        Process med = start(mOut, "serve", mediator, address);
        waitFor(mOut, "ready", Duration.ofSeconds(60));
        List<String> aOut = new CopyOnWriteArrayList<>();
        kill(waitAnd(start(aOut, "accept", minister, address, "envoy"), aOut, "accepted"));
        List<String> bOut = new CopyOnWriteArrayList<>();
        kill(waitAnd(start(bOut, "accept", envoy, address, "minister"), bOut, "accepted"));
        kill(med);
        med = start(mOut, "serve", mediator, address);
        // Both introducees come back; the minister is killed once more in the middle of the handshake.
        List<String> a1 = new CopyOnWriteArrayList<>();
        Process ministerRun = start(a1, "run", minister, address, "envoy", "from the minister");
        List<String> b1 = new CopyOnWriteArrayList<>();
        start(b1, "run", envoy, address, "minister", "from the envoy");
        Thread.sleep(1500);
        kill(ministerRun);
        List<String> a2 = new CopyOnWriteArrayList<>();
        start(a2, "run", minister, address, "envoy", "from the minister again");
        waitFor(a2, "got from the envoy", Duration.ofSeconds(90));
        waitFor(b1, "got from the minister again", Duration.ofSeconds(90));
        assertThat(b1.stream().filter(l -> l.equals("got from the minister again")).count()).isEqualTo(1);
        kill(med);
      } finally {
        for (Process p : processes) {
          p.destroyForcibly();
        }
      }
    }
  }

  private static Process waitAnd(Process p, List<String> out, String line) throws InterruptedException {
    waitFor(out, line, Duration.ofSeconds(90));
    return p;
  }
}
