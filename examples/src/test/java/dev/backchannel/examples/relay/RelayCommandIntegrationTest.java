package dev.backchannel.examples.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.backchannel.api.RelayAddress;
import dev.backchannel.examples.CliLauncher;
import dev.backchannel.netty.client.RelayLink;
import dev.backchannel.netty.relay.RelayConfig;
import dev.backchannel.netty.relay.RelayServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Runs {@code backchannel relay} as a user would: its own process, stdout, SIGTERM. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RelayCommandIntegrationTest {
  @TempDir Path dir;

  private static ProcessBuilder command(String... args) {
    return CliLauncher.processBuilder(args);
  }

  @Test
  void relayPrintsItsAddressServesAndStopsOnSigterm() throws Exception {
    Process p = command("relay", "--data", dir.resolve("relay").toString(), "--port", "0")
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String line = out.readLine();
      assertThat(line).startsWith("relay address: bcr://").contains("@127.0.0.1:");
      RelayAddress address = RelayAddress.parse(line.substring("relay address: ".length()));
      try (RelayLink link = RelayLink.builder(address).build()) {
        link.awaitConnected(Duration.ofSeconds(20));
        link.ping().get(20, TimeUnit.SECONDS);
      }
      assertThat(Files.exists(dir.resolve("relay/relay-key.pk8"))).isTrue();
      p.destroy(); // SIGTERM: the shutdown hook closes the relay cleanly
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void aSecondRelayOnOneDataDirectoryExits7AndTheFirstKeepsServing() throws Exception {
    Path data = dir.resolve("relay");
    Process first = command("relay", "--data", data.toString(), "--port", "0", "--verbose")
        .redirectError(dir.resolve("first.err").toFile()).start();
    try {
      String line = new BufferedReader(new InputStreamReader(first.getInputStream(), StandardCharsets.UTF_8)).readLine();
      assertThat(line).startsWith("relay address: ");
      Process second = command("relay", "--data", data.toString(), "--port", "0").start();
      assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
      String err = new String(second.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(second.exitValue()).as(err).isEqualTo(7);
      assertThat(err.strip()).isEqualTo("error: the relay data directory " + data + " is in use by another relay");
      assertThat(first.isAlive()).isTrue();
      // Log lines carry date, time and zone (ISO 8601 with offset).
      assertThat(Files.readAllLines(dir.resolve("first.err")).get(0))
          .matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}(Z|[+-]\\d{2}:\\d{2}) INFO .*relay listening.*");
    } finally {
      first.destroyForcibly();
      first.waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void aRelayEmbeddedOnTheSameDataDirectoryAlsoMeansExit7() throws Exception {
    Path data = dir.resolve("relay");
    try (RelayServer embedded = RelayServer.start(RelayConfig.builder(data).port(0).build())) {
      Process p = command("relay", "--data", data.toString(), "--port", "0").start();
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.exitValue()).as(err).isEqualTo(7);
      assertThat(err.strip()).startsWith("error: ").contains("in use by another relay");
    }
  }

  @Test
  void aNewDataDirectoryIsOwnerOnly() throws Exception {
    assumeTrue(Files.getFileStore(dir).supportsFileAttributeView("posix"), "POSIX permissions");
    Path data = dir.resolve("new/relay");
    Process p = command("relay", "--data", data.toString(), "--port", "0")
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try {
      String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
      assertThat(line).startsWith("relay address: ");
      for (Path d : List.of(dir.resolve("new"), data, data.resolve("store"))) {
        assertThat(permissions(d)).as(d.toString()).isEqualTo("rwx------");
      }
      for (Path d : List.of(data, data.resolve("store"))) {
        try (Stream<Path> files = Files.list(d)) {
          List<Path> regular = files.filter(Files::isRegularFile).toList();
          assertThat(regular).isNotEmpty();
          for (Path f : regular) {
            assertThat(permissions(f)).as(f.toString()).isEqualTo("rw-------");
          }
        }
      }
    } finally {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private static String permissions(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  @Test
  void badPortIsOneErrorLineAndExitCode2() throws Exception {
    Process p = command("relay", "--data", dir.toString(), "--port", "70000").start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).isEqualTo(2);
    assertThat(err.strip()).startsWith("error: ").contains("port").doesNotContain("Exception");
  }
}
