package dev.backchannel.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backchannel.examples.CliLauncher;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the command line as a script does: each command a separate JVM, one relay process on a
 * loopback port, each party's state in its own directory under {@code dir}.
 */
final class CliHarness implements AutoCloseable {
  /** One command's exit code and output. */
  record Run(int exit, String out, String err) {
    /** The last line of standard error. */
    String errorLine() {
      String[] lines = err.strip().split("\n");
      return lines[lines.length - 1];
    }
  }

  private final Path dir;
  private Process relay;
  private String address;
  private final Map<String, StringBuilder> received = new HashMap<>();

  CliHarness(Path dir) {
    this.dir = dir;
  }

  static List<String> java() {
    return CliLauncher.command();
  }

  /** Runs {@code backchannel args…}. */
  Run run(List<String> args) throws Exception {
    List<String> cmd = java();
    cmd.addAll(args);
    Process p = new ProcessBuilder(cmd).start();
    p.getOutputStream().close();
    var out = p.getInputStream().readAllBytes();
    var err = p.getErrorStream().readAllBytes();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
  }

  /** Runs {@code backchannel peer --state DIR/who args…}. */
  Run peer(String who, String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of("peer", "--state", dir.resolve(who).toString()));
    all.addAll(List.of(args));
    return run(all);
  }

  /** As {@link #peer}, asserting exit 0. */
  Run ok(String who, String... args) throws Exception {
    Run r = peer(who, args);
    assertThat(r.exit()).as(who + " " + String.join(" ", args) + ": " + r.err()).isZero();
    return r;
  }

  /** Starts the relay, with {@code options} after its data directory and port, and returns its address. */
  String startRelay(String... options) throws Exception {
    List<String> cmd = java();
    cmd.addAll(List.of("relay", "--data", dir.resolve("relay").toString(), "--port", "0"));
    cmd.addAll(List.of(options));
    relay = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String line = new BufferedReader(new InputStreamReader(relay.getInputStream(), StandardCharsets.UTF_8)).readLine();
    address = line.substring("relay address: ".length());
    return address;
  }

  /** {@code host} invites {@code who} (labelled so), who accepts and writes first; {@code host} reads it. */
  void befriend(String host, String who) throws Exception {
    String code = ok(host, "invite", "--relay", address, "--label", who).out().strip()
        .substring("invitation: ".length());
    ok(who, "accept", code, "--name", host);
    ok(who, "send", host, "hello from " + who);
    assertThat(ok(host, "receive", "--count", "1", "--timeout", "30").out()).contains(who + ": hello from " + who);
  }

  /** Runs {@code receive} on each of {@code who} in turn until {@code who[0]}'s output holds {@code text}. */
  String receiveUntil(String text, String... who) throws Exception {
    for (int round = 0; round < 6; round++) {
      if (received.computeIfAbsent(who[0], k -> new StringBuilder()).toString().contains(text)) {
        break;
      }
      for (String w : who) {
        received.computeIfAbsent(w, k -> new StringBuilder()).append(ok(w, "receive", "--timeout", "4").out());
      }
    }
    String seen = received.get(who[0]).toString();
    assertThat(seen).as(who[0] + " prints '" + text + "'").contains(text);
    return seen;
  }

  @Override
  public void close() {
    if (relay != null) {
      relay.destroyForcibly();
    }
  }
}
