package dev.backchannel.examples.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backchannel.api.RelayAddress;
import dev.backchannel.examples.CliLauncher;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code relay init} and {@code relay --config} as an operator uses them, each run its own process:
 * the file holds every option, and a flag beats an environment variable, which beats the file.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RelayConfigCommandIntegrationTest {
  @TempDir Path dir;

  record Ran(int exit, String out, String err) {}

  private static ProcessBuilder command(Map<String, String> env, String... args) {
    ProcessBuilder pb = CliLauncher.processBuilder(args);
    pb.environment().keySet().removeIf(k -> k.startsWith("BACKCHANNEL_RELAY_"));
    pb.environment().putAll(env);
    return pb;
  }

  private static Ran run(Map<String, String> env, String... args) throws Exception {
    Process p = command(env, args).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Ran(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
        new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  /** Starts a relay, returns the address it prints, and stops it. */
  private static String addressOf(Map<String, String> env, String... args) throws Exception {
    Process p = command(env, args).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try {
      String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
      assertThat(line).as("the relay starts").startsWith("relay address: ");
      return line.substring("relay address: ".length());
    } finally {
      p.destroy();
      p.waitFor(30, TimeUnit.SECONDS);
      p.destroyForcibly();
    }
  }

  @Test
  void initWritesEveryOptionAndTheRelayRunsFromTheFileWithEnvironmentAndFlagsOnTop() throws Exception {
    Path data = dir.resolve("relay");
    Ran init = run(Map.of(), "relay", "init", "--data", data.toString());
    Path file = data.resolve(RelayConfigFile.NAME);
    assertThat(init.exit()).as(init.err()).isZero();
    assertThat(init.out().strip()).isEqualTo("config: " + file);
    assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    String text = Files.readString(file);
    for (RelaySetting s : RelaySetting.values()) {
      assertThat(text).contains(s.key + " = ");
    }
    Ran again = run(Map.of(), "relay", "init", "--data", data.toString());
    assertThat(again.exit()).isEqualTo(2);
    assertThat(again.err()).startsWith("error: ").contains("--force");
    assertThat(Files.readString(file)).isEqualTo(text);

    Files.writeString(file, text.replace("# port = 7443", "port = 0")
        .replaceFirst("(?m)^# advertise = .*$", "advertise = \"file.example:1111\""));
    assertThat(RelayAddress.parse(addressOf(Map.of(), "relay", "--config", file.toString())).endpointList())
        .isEqualTo("file.example:1111");
    Map<String, String> env = Map.of("BACKCHANNEL_RELAY_ADVERTISE", "env.example:2222");
    assertThat(RelayAddress.parse(addressOf(env, "relay", "--config", file.toString())).endpointList())
        .isEqualTo("env.example:2222");
    assertThat(RelayAddress.parse(addressOf(env, "relay", "--config", file.toString(),
        "--advertise", "flag.example:3333")).endpointList()).isEqualTo("flag.example:3333");
  }

  @Test
  void badValuesFromEachSourceExit2NamingTheSource() throws Exception {
    Path data = dir.resolve("relay");
    Ran env = run(Map.of("BACKCHANNEL_RELAY_IDLE_TIMEOUT", "soon"), "relay", "--data", data.toString(), "--port", "0");
    assertThat(env.exit()).isEqualTo(2);
    assertThat(env.err().strip()).startsWith("error: BACKCHANNEL_RELAY_IDLE_TIMEOUT: 'soon' is not a duration");

    Ran flag = run(Map.of(), "relay", "--data", data.toString(), "--port", "0", "--max-connections", "0");
    assertThat(flag.exit()).isEqualTo(2);
    assertThat(flag.err().strip()).startsWith("error: --max-connections: ");

    Path bad = Files.writeString(dir.resolve("bad.toml"), "data = \"" + data + "\"\nmax-conections = 5\n");
    Ran file = run(Map.of(), "relay", "--config", bad.toString());
    assertThat(file.exit()).isEqualTo(2);
    assertThat(file.err().strip()).startsWith("error: " + bad + ": unknown option 'max-conections'");

    Ran wildcard = run(Map.of("BACKCHANNEL_RELAY_HOST", "0.0.0.0"), "relay", "--data", data.toString(), "--port", "0");
    assertThat(wildcard.exit()).isEqualTo(2);
    assertThat(wildcard.err()).contains("--advertise");

    Ran missing = run(Map.of(), "relay", "--config", dir.resolve("nowhere.toml").toString());
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.err()).startsWith("error: cannot read the config file");
  }
}
