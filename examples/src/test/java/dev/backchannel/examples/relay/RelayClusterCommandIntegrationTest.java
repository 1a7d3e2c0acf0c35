package dev.backchannel.examples.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backchannel.api.RelayAddress;
import dev.backchannel.examples.CliLauncher;
import dev.backchannel.examples.Main;
import dev.backchannel.netty.client.Delivery;
import dev.backchannel.netty.client.RelayLink;
import dev.backchannel.redis.RedisClusterHarness;
import dev.backchannel.crypto.Ed25519;
import dev.backchannel.crypto.SecretBytes;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code backchannel relay --store redis://… --key-file F --advertise …} as an operator runs it:
 * two node processes on one real Redis Cluster (started by {@link RedisClusterHarness}) print one
 * address, share one key file made owner-only, and serve one mailbox between them; and the option
 * errors of the relay cluster are one {@code error:} line with exit code 2.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RelayClusterCommandIntegrationTest {
  @TempDir Path dir;

  private static ProcessBuilder command(List<String> args) {
    return new ProcessBuilder(CliLauncher.command(args));
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static String firstLine(Process p) throws Exception {
    return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    new SecureRandom().nextBytes(b);
    return b;
  }

  /** The result of one command run in process. */
  private record Run(int exit, String out, String err) {}

  private static Run inProcess(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void twoNodesPrintOneAddressShareOneKeyFileAndServeOneMailbox() throws Exception {
    String store = "redis://" + String.join(",", RedisClusterHarness.shared().seeds());
    Path keyFile = dir.resolve("keys/cluster.key");
    int port1 = freePort();
    int port2 = freePort();
    String advertised = "127.0.0.1:" + port1 + ",127.0.0.1:" + port2;
    List<Process> nodes = new ArrayList<>();
    try {
      nodes.add(command(List.of("relay", "--store", store, "--key-file", keyFile.toString(),
          "--advertise", advertised, "--port", Integer.toString(port1)))
          .redirectError(dir.resolve("node1.err").toFile()).start());
      String line1 = firstLine(nodes.get(0));
      assertThat(line1).as("node 1: %s", Files.exists(dir.resolve("node1.err"))
          ? Files.readString(dir.resolve("node1.err")) : "").startsWith("relay address: bcr://");
      nodes.add(command(List.of("relay", "--store", store, "--key-file", keyFile.toString(),
          "--advertise", advertised, "--port", Integer.toString(port2), "--data", dir.resolve("data2").toString()))
          .redirectError(ProcessBuilder.Redirect.DISCARD).start());
      String line2 = firstLine(nodes.get(1));
      assertThat(line2).as("both nodes print the same address").isEqualTo(line1);
      RelayAddress address = RelayAddress.parse(line1.substring("relay address: ".length()));
      assertThat(address.endpointList()).isEqualTo(advertised);
      if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
      }

      byte[] mailbox = random(32);
      SecretBytes owner = Ed25519.generatePrivateKey();
      BlockingQueue<Delivery> received = new LinkedBlockingQueue<>();
      RelayAddress node1 = new RelayAddress(address.keyHash(), "127.0.0.1", port1);
      RelayAddress node2 = new RelayAddress(address.keyHash(), "127.0.0.1", port2);
      try (RelayLink to1 = RelayLink.builder(node1).build(); RelayLink to2 = RelayLink.builder(node2).build();
          RelayLink cluster = RelayLink.builder(address).reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(300))
              .build()) {
        to1.awaitConnected(Duration.ofSeconds(20));
        to2.awaitConnected(Duration.ofSeconds(20));
        to1.createMailbox(mailbox, owner).get(20, TimeUnit.SECONDS);
        to2.subscribe(mailbox, owner, received::add).get(20, TimeUnit.SECONDS);
        to1.send(mailbox, random(16), "one store".getBytes(StandardCharsets.UTF_8)).get(20, TimeUnit.SECONDS);
        assertThat(new String(received.poll(20, TimeUnit.SECONDS).body(), StandardCharsets.UTF_8)).isEqualTo("one store");

        cluster.awaitConnected(Duration.ofSeconds(20));
        assertThat(cluster.currentEndpoint().port()).isEqualTo(port1);
        nodes.get(0).destroy(); // SIGTERM: node 1 goes away
        assertThat(nodes.get(0).waitFor(30, TimeUnit.SECONDS)).isTrue();
        cluster.send(mailbox, random(16), "through node 2".getBytes(StandardCharsets.UTF_8)).get(30, TimeUnit.SECONDS);
        assertThat(cluster.currentEndpoint().port()).isEqualTo(port2);
        assertThat(new String(received.poll(20, TimeUnit.SECONDS).body(), StandardCharsets.UTF_8))
            .isEqualTo("through node 2");
      }
    } finally {
      for (Process p : nodes) {
        p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void aWildcardHostWithoutAdvertiseIsRefusedWithExitCode2() throws Exception {
    Process p = command(List.of("relay", "--data", dir.resolve("relay").toString(), "--host", "0.0.0.0",
        "--port", "0")).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(err).isEqualTo(2);
    assertThat(err.strip()).startsWith("error: ").contains("0.0.0.0").contains("--advertise")
        .doesNotContain("Exception");
    assertThat(Files.exists(dir.resolve("relay"))).as("nothing started").isFalse();
    Run v6 = inProcess("relay", "--data", dir.resolve("relay").toString(), "--host", "::", "--port", "0");
    assertThat(v6.exit()).isEqualTo(2);
    assertThat(v6.err().strip()).startsWith("error: ").contains("--advertise");
  }

  @Test
  void badStoreAndAdvertiseValuesAreOneErrorLineAndExitCode2() {
    Path key = dir.resolve("k.key");
    String[][] bad = {
      {"relay", "--store", "http://127.0.0.1:6379", "--key-file", key.toString(), "--port", "0"},
      {"relay", "--store", "redis://", "--key-file", key.toString(), "--port", "0"},
      {"relay", "--store", "redis://127.0.0.1:007", "--key-file", key.toString(), "--port", "0"},
      {"relay", "--store", "redis://127.0.0.1:6379,", "--key-file", key.toString(), "--port", "0"},
      {"relay", "--store", "redis://127.0.0.1:6379", "--port", "0"},
      {"relay", "--data", dir.resolve("d").toString(), "--advertise", "relay.example.org:0", "--port", "0"},
      {"relay", "--data", dir.resolve("d").toString(), "--advertise", "a:1,,b:2", "--port", "0"},
      {"relay", "--data", dir.resolve("d").toString(), "--advertise", "a:+1", "--port", "0"},
      {"relay", "--data", dir.resolve("d").toString(), "--advertise", "", "--port", "0"},
      {"relay", "--port", "0"},
    };
    for (String[] args : bad) {
      Run r = inProcess(args);
      assertThat(r.exit()).as(String.join(" ", args) + ": " + r.err()).isEqualTo(2);
      assertThat(r.err().strip()).as(String.join(" ", args)).startsWith("error: ").doesNotContain("Exception")
          .doesNotContain("\n");
    }
    assertThat(Files.exists(key)).as("no key made for a refused command").isFalse();
    assertThat(Files.exists(dir.resolve("d"))).isFalse();
  }

  @Test
  void aRedisClusterThatCannotBeReachedIsOneErrorLineAndExitCode1() throws Exception {
    Process p = command(List.of("relay", "--store", "redis://127.0.0.1:" + freePort(), "--key-file",
        dir.resolve("k.key").toString(), "--port", "0")).start();
    assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(err).isEqualTo(1);
    assertThat(err.strip().lines().filter(l -> l.startsWith("error: ")).toList())
        .singleElement().asString().contains("cannot use the Redis Cluster at redis://127.0.0.1:");
  }

  @Test
  void theEmbeddedNodeAdvertisesToo() throws Exception {
    Process p = command(List.of("relay", "--data", dir.resolve("relay").toString(), "--port", "0",
        "--advertise", "relay.example.org:7443,relay2.example.org:7443"))
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try {
      String line = firstLine(p);
      assertThat(line).startsWith("relay address: bcr://")
          .endsWith("@relay.example.org:7443,relay2.example.org:7443");
      assertThat(Files.exists(dir.resolve("relay/relay-key.pk8"))).isTrue();
    } finally {
      p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }
}
