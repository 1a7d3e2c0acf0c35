package dev.backchannel.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.backchannel.examples.CliLauncher;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The introduction commands as a script would drive them, three parties as separate processes
 * that are never online at once: the fixed words of every line and the exit codes.
 */
@Timeout(value = 400, unit = TimeUnit.SECONDS)
class IntroductionCliIntegrationTest {
  @TempDir Path dir;
  private Process relay;
  private String address;

  record Run(int exit, String out, String err) {}

  private static List<String> java() {
    return CliLauncher.command();
  }

  private Run peer(String who, String... args) throws Exception {
    List<String> cmd = java();
    cmd.addAll(List.of("peer", "--state", dir.resolve(who).toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).start();
    p.getOutputStream().close();
    var out = p.getInputStream().readAllBytes();
    var err = p.getErrorStream().readAllBytes();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
  }

  private Run ok(String who, String... args) throws Exception {
    Run r = peer(who, args);
    assertThat(r.exit()).as(who + " " + String.join(" ", args) + ": " + r.err()).isZero();
    return r;
  }

  @AfterEach
  void stopRelay() {
    if (relay != null) {
      relay.destroyForcibly();
    }
  }

  private void startRelay() throws Exception {
    List<String> cmd = java();
    cmd.addAll(List.of("relay", "--data", dir.resolve("relay").toString(), "--port", "0"));
    relay = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String line = new BufferedReader(new InputStreamReader(relay.getInputStream(), StandardCharsets.UTF_8)).readLine();
    address = line.substring("relay address: ".length());
  }

  /** The mediator invites {@code who}, who accepts and writes first; the mediator reads it. */
  private void befriend(String who) throws Exception {
    String code = ok("mediator", "invite", "--relay", address, "--label", who).out().strip()
        .substring("invitation: ".length());
    ok(who, "accept", code, "--name", "mediator");
    ok(who, "send", "mediator", "hello from " + who);
    assertThat(ok("mediator", "receive", "--count", "1", "--timeout", "30").out()).contains(who + ": hello from " + who);
  }

  /** What each party's {@code receive} runs printed so far. */
  private final java.util.Map<String, StringBuilder> received = new java.util.HashMap<>();

  /** Runs {@code receive} on each of {@code who} in turn until {@code who[0]}'s output holds {@code text}. */
  private String receiveUntil(String text, String... who) throws Exception {
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

  private static String errorLine(Run r) {
    String[] lines = r.err().strip().split("\n");
    return lines[lines.length - 1];
  }

  @Test
  void introduceAcceptTalkAndDecline() throws Exception {
    startRelay();
    befriend("minister");
    befriend("envoy");

    String intro = ok("mediator", "introduce", "minister", "envoy", "--note", "you two should talk").out().strip();
    assertThat(intro).matches("introduction: [0-9a-f]{32}");
    String id = intro.substring("introduction: ".length());
    String line = "introduction: " + id + " from: mediator proposes: envoy note: you two should talk";
    assertThat(ok("minister", "receive", "--timeout", "5").out()).contains(line);
    assertThat(ok("minister", "introductions").out().strip()).isEqualTo(line);
    assertThat(ok("minister", "receive", "--timeout", "2").out()).as("printed once across runs").doesNotContain(line);
    ok("minister", "accept-introduction", id, "--name", "envoy");

    Run unknown = peer("envoy", "accept-introduction", "0".repeat(32), "--name", "minister");
    assertThat(unknown.exit()).isEqualTo(2);
    assertThat(errorLine(unknown)).startsWith("error: ");
    assertThat(unknown.err().strip().lines().count()).isEqualTo(1);
    assertThat(ok("envoy", "receive", "--timeout", "5").out())
        .contains("introduction: " + id + " from: mediator proposes: minister note: you two should talk");
    ok("envoy", "accept-introduction", id, "--name", "minister");
    Run again = peer("envoy", "accept-introduction", id, "--name", "minister");
    assertThat(again.exit()).as("an answered introduction is no longer pending").isEqualTo(2);

    String ministerSaw = receiveUntil("contact: envoy", "minister", "mediator", "envoy");
    assertThat(ministerSaw).containsPattern("contact: envoy safety-number: [0-9 ]+ introduced-by: mediator");
    String envoySaw = receiveUntil("contact: minister", "envoy", "minister");
    assertThat(envoySaw).containsPattern("contact: minister safety-number: [0-9 ]+ introduced-by: mediator");

    ok("minister", "send", "envoy", "hello envoy");
    assertThat(ok("envoy", "receive", "--count", "1", "--timeout", "30").out()).contains("minister: hello envoy");
    assertThat(ok("minister", "contacts").out()).containsPattern("envoy safety-number: [0-9 ]+ unverified introduced-by: mediator");
    ok("minister", "verify", "envoy");
    assertThat(ok("minister", "contacts").out()).contains("envoy safety-number: ").doesNotContain("introduced-by");

    // A second introduction, declined: exit 0 once, exit 2 for the same id again.
    String second = ok("mediator", "introduce", "minister", "envoy").out().strip().substring("introduction: ".length());
    assertThat(ok("minister", "receive", "--timeout", "5").out()).contains("introduction: " + second + " from: mediator proposes: envoy")
        .doesNotContain("note:");
    ok("minister", "decline-introduction", second);
    assertThat(peer("minister", "decline-introduction", second).exit()).isEqualTo(2);
    assertThat(ok("minister", "introductions").out()).isEmpty();
  }
}
