package dev.backchannel.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code peer daemon} driven as another program would: JSON-RPC 2.0 on its standard input and
 * output, and on a Unix socket with two clients, against a real relay, with plain {@code peer}
 * commands as the other party (each a separate process).
 */
@Timeout(value = 400, unit = TimeUnit.SECONDS)
class DaemonIntegrationTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir static Path dir;
  private static CliHarness cli;
  private static String address;

  @BeforeAll
  static void relay() throws Exception {
    cli = new CliHarness(dir);
    address = cli.startRelay();
  }

  @AfterAll
  static void stop() {
    cli.close();
  }

  private static Process daemon(String who, String... more) throws Exception {
    List<String> cmd = CliHarness.java();
    cmd.addAll(List.of("peer", "--state", dir.resolve(who).toString(), "daemon", "--relay", address));
    cmd.addAll(List.of(more));
    return new ProcessBuilder(cmd).redirectError(dir.resolve(who + "-daemon.err").toFile()).start();
  }

  /** The daemon invites {@code who} (a plain CLI peer), who accepts it; returns the invitation. */
  private static String inviteFromDaemon(RpcClient daemon, String who, String daemonName) throws Exception {
    JsonNode inv = daemon.call("invite", RpcClient.params().put("label", who));
    assertThat(inv.get("type").asText()).isEqualTo("invitation");
    String code = inv.get("code").asText();
    cli.ok(who, "accept", code, "--name", daemonName);
    return code;
  }

  @Test
  void overStandardInputAndOutput() throws Exception {
    Process p = daemon("dan");
    try (RpcClient dan = RpcClient.of(p)) {
      inviteFromDaemon(dan, "cleo", "dan");
      String text = "hello daemon\nsecond line with \"quotes\" and a \\ backslash";
      cli.ok("cleo", "send", "dan", text);
      JsonNode contact = dan.awaitNotification(n -> n.get("method").asText().equals("contact"), WAIT);
      assertThat(contact.get("params").get("name").asText()).isEqualTo("cleo");
      assertThat(contact.get("params").get("new").asBoolean()).isTrue();
      JsonNode message = dan.awaitNotification(n -> n.get("method").asText().equals("message"), WAIT);
      assertThat(message.get("params").get("contact").asText()).isEqualTo("cleo");
      assertThat(message.get("params").get("text").asText()).isEqualTo(text);

      JsonNode sent = dan.call("send", RpcClient.params().put("contact", "cleo").put("text", "from the daemon"));
      assertThat(sent.get("type").asText()).isEqualTo("sent");
      assertThat(sent.get("sequence").asLong()).isPositive();
      assertThat(cli.ok("cleo", "receive", "--count", "1", "--timeout", "30").out()).contains("dan: from the daemon");

      // An agreement: proposed through the daemon, signed by the CLI peer, countersigned here.
      JsonNode proposed = dan.call("propose", RpcClient.params().put("contact", "cleo").put("title", "Terms")
          .put("text", "We meet on Tuesday.\n"));
      assertThat(proposed.get("status").asText()).isEqualTo("proposed");
      String id = proposed.get("id").asText();
      cli.receiveUntil("agreement: " + id + " with: dan title: Terms status: awaiting-signature", "cleo");
      cli.ok("cleo", "sign", id);
      dan.awaitNotification(n -> n.get("method").asText().equals("agreement")
          && n.get("params").get("id").asText().equals(id)
          && n.get("params").get("status").asText().equals("awaiting-signature"), WAIT);
      assertThat(dan.call("sign", RpcClient.params().put("id", id)).get("status").asText()).isEqualTo("complete");
      assertThat(dan.call("agreements", null)).singleElement()
          .satisfies(a -> assertThat(a.get("status").asText()).isEqualTo("complete"));

      JsonNode contacts = dan.call("contacts", null);
      assertThat(contacts.isArray()).isTrue();
      assertThat(contacts).singleElement().satisfies(c -> assertThat(c.get("name").asText()).isEqualTo("cleo"));
      assertThat(dan.call("fingerprint", null).get("fingerprint").asText()).matches("[0-9a-f]+");

      // A line that is not JSON: -32700 with a null id, and the daemon goes on.
      dan.sendRaw("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":");
      JsonNode parse = dan.response();
      assertThat(parse.get("error").get("code").asInt()).isEqualTo(-32700);
      assertThat(parse.get("id").isNull()).isTrue();
      JsonNode unknown = dan.request("no-such-method", null);
      assertThat(unknown.get("error").get("code").asInt()).isEqualTo(-32601);
      JsonNode missing = dan.request("send", RpcClient.params().put("contact", "cleo"));
      assertThat(missing.get("error").get("code").asInt()).isEqualTo(-32602);
      assertThat(missing.get("error").get("message").asText()).contains("text");
      JsonNode typo = dan.request("contacts", RpcClient.params().put("contcat", "x"));
      assertThat(typo.get("error").get("code").asInt()).isEqualTo(-32602);
      dan.sendRaw("{\"jsonrpc\":\"1.0\",\"id\":\"a\",\"method\":\"contacts\"}");
      assertThat(dan.response().get("error").get("code").asInt()).isEqualTo(-32600);
      // The CLI's exit code travels as -32000 - code and in data.exitCode.
      JsonNode nobody = dan.request("send", RpcClient.params().put("contact", "nobody").put("text", "hi"));
      assertThat(nobody.get("error").get("code").asInt()).isEqualTo(-32000 - ExitCodes.BAD_INPUT);
      assertThat(nobody.get("error").get("data").get("exitCode").asInt()).isEqualTo(ExitCodes.BAD_INPUT);
      // A line over 1 MiB is refused unread, and the next request is answered.
      dan.sendRaw("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"send\",\"params\":{\"contact\":\"cleo\",\"text\":\""
          + "x".repeat(DaemonCommand.MAX_REQUEST_BYTES) + "\"}}");
      JsonNode big = dan.response();
      assertThat(big.get("error").get("code").asInt()).isEqualTo(-32600);
      assertThat(big.get("error").get("message").asText()).contains("larger than");
      // A notification from the client gets no response; the next request's does come.
      dan.sendRaw("{\"jsonrpc\":\"2.0\",\"method\":\"contacts\"}");
      assertThat(dan.call("contacts", null)).hasSize(1);
    }
    // The end of input: the state is closed and the daemon exits 0.
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(Files.readString(dir.resolve("dan-daemon.err"))).isZero();
    assertThat(cli.ok("dan", "contacts").out()).as("the state is free again").contains("cleo safety-number: ");
    assertThat(cli.ok("dan", "receive", "--timeout", "1").out())
        .as("the daemon's notifications count as announced").doesNotContain("contact: cleo");
  }

  @Test
  void manualReceiveModeFetchesMessagesWithReceive() throws Exception {
    Process p = daemon("mo", "--receive-mode", "manual");
    try (RpcClient mo = RpcClient.of(p)) {
      inviteFromDaemon(mo, "max", "mo");
      cli.ok("max", "send", "mo", "fetch me");
      JsonNode got = mo.call("receive", RpcClient.params().put("timeout", 60));
      assertThat(got).singleElement().satisfies(m -> {
        assertThat(m.get("type").asText()).isEqualTo("message");
        assertThat(m.get("text").asText()).isEqualTo("fetch me");
      });
      assertThat(mo.call("receive", null)).as("taken once").isEmpty();
      mo.awaitNotification(n -> n.get("method").asText().equals("contact"), WAIT);
      assertThat(mo.request("receive", RpcClient.params().put("timeout", 301)).get("error").get("code").asInt())
          .isEqualTo(-32602);
    }
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
  }

  @Test
  void overAUnixSocketWithTwoClients() throws Exception {
    Path socket = dir.resolve("sol.sock");
    // A socket file left by a daemon that died: replaced.
    try (var stale = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
      stale.bind(java.net.UnixDomainSocketAddress.of(socket));
    }
    assertThat(socket).exists();
    Process p = daemon("sol", "--socket", socket.toString());
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!Files.readString(dir.resolve("sol-daemon.err")).contains("listening on")
          && System.nanoTime() < deadline && p.isAlive()) {
        Thread.sleep(100);
      }
      assertThat(Files.readString(dir.resolve("sol-daemon.err"))).contains("daemon: listening on " + socket);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-------");
      try (RpcClient first = RpcClient.connect(socket); RpcClient second = RpcClient.connect(socket)) {
        inviteFromDaemon(first, "sam", "sol");
        cli.ok("sam", "send", "sol", "to every client");
        for (RpcClient c : List.of(first, second)) {
          JsonNode m = c.awaitNotification(n -> n.get("method").asText().equals("message"), WAIT);
          assertThat(m.get("params").get("text").asText()).isEqualTo("to every client");
        }
        assertThat(second.call("contacts", null)).singleElement()
            .satisfies(c -> assertThat(c.get("name").asText()).isEqualTo("sam"));
        second.sendRaw("not json");
        assertThat(second.response().get("error").get("code").asInt()).isEqualTo(-32700);
        first.call("send", RpcClient.params().put("contact", "sam").put("text", "from the socket"));
        assertThat(cli.ok("sam", "receive", "--count", "1", "--timeout", "30").out()).contains("sol: from the socket");
        assertThat(second.call("fingerprint", null).get("fingerprint").asText())
            .isEqualTo(first.call("fingerprint", null).get("fingerprint").asText());
      }
    } finally {
      p.destroy();
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(socket).as("removed on stop").doesNotExist();
  }
}
