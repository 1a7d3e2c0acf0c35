package dev.backchannel.examples.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backchannel.api.RelayAddress;
import dev.backchannel.netty.client.RelayLink;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    String[] cmd = new String[args.length + 4];
    cmd[0] = java;
    cmd[1] = "-cp";
    cmd[2] = System.getProperty("java.class.path");
    cmd[3] = "dev.backchannel.examples.Main";
    System.arraycopy(args, 0, cmd, 4, args.length);
    return new ProcessBuilder(cmd);
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
  void badPortIsOneErrorLineAndExitCode2() throws Exception {
    Process p = command("relay", "--data", dir.toString(), "--port", "70000").start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).isEqualTo(2);
    assertThat(err.strip()).startsWith("error: ").contains("port").doesNotContain("Exception");
  }
}
