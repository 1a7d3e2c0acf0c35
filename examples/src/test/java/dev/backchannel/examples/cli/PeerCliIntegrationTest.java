package dev.backchannel.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drives {@code backchannel} as a user would: a relay and two peers as separate processes
 * through invite, accept, send, receive, restarts, and each error case with its exit code.
 */
@Timeout(value = 400, unit = TimeUnit.SECONDS)
class PeerCliIntegrationTest {
  @TempDir Path dir;
  private Process relay;
  private String address;

  /** The result of one command. */
  record Run(int exit, String out, String err) {}

  private static List<String> java() {
    String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    return new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
        "dev.backchannel.examples.Main"));
  }

  private Run run(Map<String, String> env, String... args) throws Exception {
    List<String> cmd = java();
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().putAll(env);
    Process p = pb.start();
    p.getOutputStream().close();
    var out = p.getInputStream().readAllBytes();
    var err = p.getErrorStream().readAllBytes();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
  }

  private Run peer(String who, String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of("peer", "--state", dir.resolve(who).toString()));
    all.addAll(List.of(args));
    return run(Map.of(), all.toArray(String[]::new));
  }

  private void startRelay(String port) throws Exception {
    List<String> cmd = java();
    cmd.addAll(List.of("relay", "--data", dir.resolve("relay").toString(), "--port", port));
    relay = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String line = new BufferedReader(new InputStreamReader(relay.getInputStream(), StandardCharsets.UTF_8)).readLine();
    assertThat(line).startsWith("relay address: ");
    address = line.substring("relay address: ".length());
  }

  @AfterEach
  void stopRelay() {
    if (relay != null) {
      relay.destroyForcibly();
    }
  }

  private static String errorLine(Run r) {
    String[] lines = r.err().strip().split("\n");
    return lines[lines.length - 1];
  }

  @Test
  void walkthroughWithRestartsAndErrors() throws Exception {
    startRelay("0");
    Run invite = peer("alice", "invite", "--relay", address, "--label", "bob", "--qr");
    assertThat(invite.exit()).as(invite.err()).isZero();
    String code = invite.out().lines().filter(l -> l.startsWith("invitation: ")).findFirst()
        .orElseThrow().substring("invitation: ".length());
    assertThat(invite.out()).contains("\u2588"); // the QR code

    // A mistyped invitation: one error line, exit 2, no stack trace.
    String typo = code.substring(0, 20) + (code.charAt(20) == 'A' ? 'B' : 'A') + code.substring(21);
    Run bad = peer("bob", "accept", typo, "--name", "alice");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(errorLine(bad)).startsWith("error: ").contains("mistyped");
    assertThat(bad.err()).doesNotContain("Exception").doesNotContain("\tat ");

    Run accept = peer("bob", "accept", code, "--name", "alice");
    assertThat(accept.exit()).as(accept.err()).isZero();
    assertThat(accept.out()).startsWith("contact: alice safety-number: ");
    String digits = accept.out().strip().substring(accept.out().strip().lastIndexOf(' ') + 1);

    // Right after accepting, before the inviter ever ran again: the message goes with the handshake.
    Run early = peer("bob", "send", "alice", "before you answered");
    assertThat(early.exit()).as(early.err()).isZero();

    Run aliceSees = peer("alice", "receive", "--timeout", "5");
    assertThat(aliceSees.exit()).as(aliceSees.err()).isZero();
    assertThat(aliceSees.out()).contains("contact: bob safety-number: " + digits)
        .contains("bob: before you answered");

    assertThat(peer("bob", "send", "alice", "hello from bob").exit()).isZero();
    Run got = peer("alice", "receive", "--count", "1", "--timeout", "30");
    assertThat(got.out()).contains("bob: hello from bob").doesNotContain("contact: bob");

    assertThat(peer("alice", "send", "bob", "hi bob").exit()).isZero();
    assertThat(peer("bob", "receive", "--count", "1", "--timeout", "30").out()).contains("alice: hi bob");
    // Exactly once across runs.
    assertThat(peer("bob", "receive", "--timeout", "2").out()).doesNotContain("alice: hi bob");

    assertThat(peer("alice", "verify", "bob").out()).contains("verified: bob");
    assertThat(peer("alice", "contacts").out()).contains("bob safety-number: " + digits + " verified");

    // Unknown contact and oversized message: exit 2.
    Run unknown = peer("alice", "send", "carol", "hi");
    assertThat(unknown.exit()).isEqualTo(2);
    assertThat(errorLine(unknown)).startsWith("error: ").contains("carol");
    Run big = peer("alice", "send", "bob", "x".repeat(70_000));
    assertThat(big.exit()).isEqualTo(2);
    assertThat(errorLine(big)).startsWith("error: ").contains("at most");

    // A relay whose key does not match its address: exit 4.
    String forged = "bcr://" + "A".repeat(42) + "A" + address.substring(address.indexOf('@'));
    Run untrusted = peer("carol", "invite", "--relay", forged, "--label", "x");
    assertThat(untrusted.exit()).as(untrusted.err()).isEqualTo(4);
    assertThat(errorLine(untrusted)).startsWith("error: ").contains("does not match");

    // The relay restarts on its data directory: same address, messages flow again.
    String port = address.substring(address.lastIndexOf(':') + 1);
    relay.destroy();
    relay.waitFor(30, TimeUnit.SECONDS);
    // While it is down: exit 3, and the message is not lost.
    Run down = peer("bob", "send", "alice", "sent while the relay was down");
    assertThat(down.exit()).isEqualTo(3);
    assertThat(errorLine(down)).startsWith("error: ");
    String before = address;
    startRelay(port);
    assertThat(address).isEqualTo(before);
    assertThat(peer("bob", "send", "alice", "after the restart").exit()).isZero();
    Run after = peer("alice", "receive", "--count", "2", "--timeout", "30");
    assertThat(after.out()).contains("bob: sent while the relay was down\nbob: after the restart");

    // Interactive chat: lines typed are sent.
    List<String> cmd = java();
    cmd.addAll(List.of("peer", "--state", dir.resolve("bob").toString(), "chat", "alice"));
    Process chat = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    chat.getOutputStream().write("typed in the chat\n".getBytes(StandardCharsets.UTF_8));
    chat.getOutputStream().close();
    assertThat(chat.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(chat.exitValue()).isZero();
    assertThat(peer("alice", "receive", "--count", "1", "--timeout", "30").out())
        .contains("bob: typed in the chat");
  }

  @Test
  void passphraseFromTheEnvironment() throws Exception {
    startRelay("0");
    Map<String, String> env = Map.of("BC_PASS", "a long passphrase");
    Run invite = run(env, "peer", "--state", dir.resolve("c").toString(), "--passphrase-env", "BC_PASS",
        "invite", "--relay", address, "--label", "d");
    assertThat(invite.exit()).as(invite.err()).isZero();
    Run without = peer("c", "contacts");
    assertThat(without.exit()).isEqualTo(1);
    assertThat(errorLine(without)).contains("passphrase");
    Run wrong = run(Map.of("BC_PASS", "wrong"), "peer", "--state", dir.resolve("c").toString(),
        "--passphrase-env", "BC_PASS", "contacts");
    assertThat(errorLine(wrong)).contains("wrong passphrase");
  }

  @Test
  void demoRunsAndCleansUp() throws Exception {
    Run demo = run(Map.of(), "demo");
    assertThat(demo.exit()).as(demo.err()).isZero();
    assertThat(demo.out()).contains("minister  read #1: We are ready to talk about the border.")
        .contains("safety numbers equal on both sides: true")
        .contains("what the relay stored");
  }
}
