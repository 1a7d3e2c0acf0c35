package dev.backchannel.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.backchannel.examples.CliLauncher;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
    return CliLauncher.command();
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
    // Twelve groups of five digits.
    String digits = accept.out().strip().substring("contact: alice safety-number: ".length());
    assertThat(digits).matches("\\d{5}( \\d{5}){11}");

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
    long d0 = System.nanoTime();
    Run down = peer("bob", "send", "alice", "sent while the relay was down");
    long downTook = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - d0);
    assertThat(down.exit()).isEqualTo(3);
    assertThat(errorLine(down)).startsWith("error: ");
    // receive's --timeout covers connecting: 2 s, not the 10 s connect wait of other commands.
    long t0 = System.nanoTime();
    Run timedOut = peer("alice", "receive", "--timeout", "2");
    long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertThat(timedOut.exit()).as(timedOut.err()).isEqualTo(3);
    assertThat(errorLine(timedOut)).contains("within 2 s");
    // Against the send just before, which waits the full 10 s to connect, JVM start included in
    // both: the receive gives up at least 4 s sooner, however loaded the machine.
    assertThat(took).as("ms, against %d ms for the send", downTook).isLessThan(downTook - 4_000);
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
    assertThat(without.exit()).isEqualTo(ExitCodes.PASSPHRASE);
    assertThat(errorLine(without)).contains("passphrase").contains("--passphrase-env");
    Run wrong = run(Map.of("BC_PASS", "wrong"), "peer", "--state", dir.resolve("c").toString(),
        "--passphrase-env", "BC_PASS", "contacts");
    assertThat(wrong.exit()).isEqualTo(ExitCodes.PASSPHRASE);
    assertThat(errorLine(wrong)).isEqualTo("error: wrong passphrase");
    Run given = run(env, "peer", "--state", dir.resolve("e").toString(), "invite", "--relay", address,
        "--label", "d");
    assertThat(given.exit()).isZero();
    Run forPlain = run(env, "peer", "--state", dir.resolve("e").toString(), "--passphrase-env",
        "BC_PASS", "contacts");
    assertThat(forPlain.exit()).isEqualTo(ExitCodes.PASSPHRASE);
    assertThat(errorLine(forPlain)).contains("without a passphrase");
  }

  @Test
  void aStateInUseByAnotherCommandExits5() throws Exception {
    startRelay("0");
    Run invite = peer("alice", "invite", "--relay", address, "--label", "bob");
    String code = invite.out().strip().substring("invitation: ".length());
    assertThat(peer("bob", "accept", code, "--name", "alice").exit()).isZero();
    // A receive that has opened alice's state (it prints the new contact) and stays for 60 s.
    List<String> cmd = java();
    cmd.addAll(List.of("peer", "--state", dir.resolve("alice").toString(), "receive", "--timeout", "60"));
    Process holder = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try {
      String first = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8)).readLine();
      assertThat(first).startsWith("contact: bob ");
      Run locked = peer("alice", "contacts");
      assertThat(locked.exit()).as(locked.err()).isEqualTo(ExitCodes.STATE_LOCKED);
      assertThat(errorLine(locked)).startsWith("error: ").contains("in use by another process");
      assertThat(locked.err()).doesNotContain("\tat ");
    } finally {
      holder.destroyForcibly();
      holder.waitFor(30, TimeUnit.SECONDS);
    }
    assertThat(peer("alice", "contacts").exit()).isZero();
  }

  @Test
  void aNewStateDirectoryIsOwnerOnly() throws Exception {
    assumeTrue(Files.getFileStore(dir).supportsFileAttributeView("posix"), "POSIX permissions");
    startRelay("0");
    Run invite = peer("alice", "invite", "--relay", address, "--label", "bob");
    assertThat(invite.exit()).as(invite.err()).isZero();
    String code = invite.out().strip().substring("invitation: ".length());
    assertThat(peer("bob", "accept", code, "--name", "alice").exit()).isZero();
    for (String who : List.of("alice", "bob")) {
      Path state = dir.resolve(who);
      assertThat(permissions(state)).as(who).isEqualTo("rwx------");
      assertThat(permissions(state.resolve("peer"))).as(who).isEqualTo("rwx------");
      assertThat(permissions(state.resolve("cli.properties"))).as(who).isEqualTo("rw-------");
      try (Stream<Path> files = Files.list(state.resolve("peer"))) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          assertThat(permissions(f)).as(f.toString()).isEqualTo("rw-------");
        }
      }
    }
    assertThat(dir.resolve("bob/announced.txt")).as("announcements live in the sealed state").doesNotExist();
  }

  @Test
  void anEncryptedStateKeepsNoNameOrTextInTheClear() throws Exception {
    startRelay("0");
    Map<String, String> env = Map.of("BC_PASS", "a long passphrase");
    String[] a = {"peer", "--state", dir.resolve("alice").toString(), "--passphrase-env", "BC_PASS"};
    String[] b = {"peer", "--state", dir.resolve("bob").toString(), "--passphrase-env", "BC_PASS"};
    Run invite = run(env, concat(a, "invite", "--relay", address, "--label", "Bartholomew"));
    assertThat(invite.exit()).as(invite.err()).isZero();
    String code = invite.out().strip().substring("invitation: ".length());
    assertThat(run(env, concat(b, "accept", code, "--name", "Anastasia")).exit()).isZero();
    assertThat(run(env, concat(b, "send", "Anastasia", "the quartermaster's ledger")).exit()).isZero();
    Run got = run(env, concat(a, "receive", "--count", "1", "--timeout", "30"));
    assertThat(got.out()).contains("contact: Bartholomew ").contains("Bartholomew: the quartermaster's ledger");
    for (String secret : List.of("Bartholomew", "Anastasia", "quartermaster")) {
      try (Stream<Path> files = Files.walk(dir.resolve("alice"))) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          assertThat(indexOf(Files.readAllBytes(f), secret.getBytes(StandardCharsets.UTF_8)))
              .as("%s in %s", secret, f).isNegative();
        }
      }
      try (Stream<Path> files = Files.walk(dir.resolve("bob"))) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          assertThat(indexOf(Files.readAllBytes(f), secret.getBytes(StandardCharsets.UTF_8)))
              .as("%s in %s", secret, f).isNegative();
        }
      }
    }
    // The next receive does not announce the contact again: the sealed record was read back.
    assertThat(run(env, concat(a, "receive", "--timeout", "2")).out()).doesNotContain("contact: Bartholomew");
  }

  private static String[] concat(String[] first, String... rest) {
    String[] all = java.util.Arrays.copyOf(first, first.length + rest.length);
    System.arraycopy(rest, 0, all, first.length, rest.length);
    return all;
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static String permissions(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  @Test
  void demoRunsAndCleansUp() throws Exception {
    Run demo = run(Map.of(), "demo");
    assertThat(demo.exit()).as(demo.err()).isZero();
    assertThat(demo.out()).contains("minister  read #1: We are ready to talk about the border.")
        .contains("safety numbers equal on both sides: true")
        .contains("mediator sees the introduction connected")
        .contains("and none of the talk or the agreement: its state contains their text nowhere")
        .contains("envoy reads it (awaiting-signature) and signs")
        .contains("the agreement is complete on the minister's side and complete on the envoy's")
        .containsPattern("verifier \\(offline, the envoy's file and the text\\): complete 'Border talks' signed by \\[")
        .contains("verifier on the file with one byte changed: invalid")
        .contains("what the relay stored");
  }
}
