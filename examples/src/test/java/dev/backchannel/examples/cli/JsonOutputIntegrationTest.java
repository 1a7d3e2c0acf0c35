package dev.backchannel.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.backchannel.api.Peer;
import dev.backchannel.api.RelayAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code peer --json} as a script reads it, each command a separate process against one relay:
 * every line of standard output is one JSON object, a message's text comes back exactly (newlines,
 * quotes, control and non-ASCII characters), and errors are one {@code error} object with the
 * text form's exit code.
 */
@Timeout(value = 400, unit = TimeUnit.SECONDS)
class JsonOutputIntegrationTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  private static CliHarness cli;
  private static String address;

  @BeforeAll
  static void relayAndTwoFriends() throws Exception {
    cli = new CliHarness(dir);
    address = cli.startRelay();
    cli.befriend("alice", "bob");
  }

  @AfterAll
  static void stop() {
    cli.close();
  }

  /** Each line of {@code out} parsed; fails unless every line is one JSON object. */
  private static List<JsonNode> lines(String out) throws Exception {
    List<JsonNode> all = new ArrayList<>();
    for (String line : out.split("\n", -1)) {
      if (line.isEmpty()) {
        continue;
      }
      JsonNode n = JSON.readTree(line);
      assertThat(n.isObject()).as(line).isTrue();
      assertThat(n.path("type").isTextual()).as(line).isTrue();
      all.add(n);
    }
    return all;
  }

  private static List<JsonNode> ofType(List<JsonNode> all, String type) {
    return all.stream().filter(n -> n.get("type").asText().equals(type)).toList();
  }

  @Test
  void receiveCarriesTheTextExactly() throws Exception {
    String text = "first line\nsecond \"quoted\" line\\ with a tab\t, a bell \u0007, \u00e9t\u00e9, "
        + "\u65e5\u672c\u8a9e, \ud83d\udd12 and a line separator \u2028.";
    // The sender runs in this process, so that no locale can change the text on a command line.
    try (Peer bob = Peer.builder().stateDirectory(dir.resolve("bob").resolve("peer"))
        .relay(RelayAddress.parse(address)).build()) {
      bob.conversation("alice").orElseThrow().send(text).get(30, TimeUnit.SECONDS);
    }
    CliHarness.Run got = cli.ok("alice", "--json", "receive", "--count", "1", "--timeout", "30");
    assertThat(got.out()).as("ASCII only").matches("[\\x00-\\x7f]*");
    List<JsonNode> messages = ofType(lines(got.out()), "message");
    assertThat(messages).hasSize(1);
    JsonNode m = messages.get(0);
    assertThat(m.get("text").asText()).isEqualTo(text);
    assertThat(m.get("contact").asText()).isEqualTo("bob");
    assertThat(m.get("sequence").asLong()).isPositive();
    assertThat(m.get("sentAt").asText()).endsWith("Z");
    assertThat(got.out().lines().count()).as("one line per event").isEqualTo(lines(got.out()).size());
  }

  @Test
  void contactsInviteSendFingerprintAndAgreements() throws Exception {
    List<JsonNode> contacts = lines(cli.ok("alice", "--json", "contacts").out());
    assertThat(contacts).hasSize(1);
    JsonNode bob = contacts.get(0);
    assertThat(bob.get("type").asText()).isEqualTo("contact");
    assertThat(bob.get("name").asText()).isEqualTo("bob");
    assertThat(bob.get("safetyNumber").asText()).matches("\\d{5}( \\d{5}){11}");
    assertThat(bob.get("verified").asBoolean()).isFalse();
    assertThat(bob.get("new").asBoolean()).isFalse();
    assertThat(bob.get("introducedBy").isNull()).isTrue();
    // The same contact as the text form shows.
    assertThat(cli.ok("alice", "contacts").out().strip())
        .isEqualTo("bob safety-number: " + bob.get("safetyNumber").asText() + " unverified");

    List<JsonNode> invite = lines(cli.ok("alice", "--json", "invite", "--relay", address, "--label", "carol").out());
    assertThat(invite).hasSize(1);
    assertThat(invite.get(0).get("type").asText()).isEqualTo("invitation");
    assertThat(invite.get(0).get("code").asText()).startsWith("bc1-");
    assertThat(invite.get(0).get("contact").asText()).isEqualTo("carol");
    assertThat(invite.get(0).has("qr")).isFalse();

    List<JsonNode> sent = lines(cli.ok("alice", "--json", "send", "bob", "hi").out());
    assertThat(sent).hasSize(1);
    assertThat(sent.get(0).get("type").asText()).isEqualTo("sent");
    assertThat(sent.get(0).get("sequence").asLong()).isPositive();
    assertThat(cli.ok("alice", "send", "bob", "hi again").out()).as("the text form prints nothing").isEmpty();

    JsonNode fp = lines(cli.ok("alice", "--json", "fingerprint").out()).get(0);
    assertThat(fp.get("fingerprint").asText()).matches("[0-9a-f]+");

    Path terms = dir.resolve("terms.txt");
    Files.writeString(terms, "We meet on Tuesday.\n");
    List<JsonNode> proposed = lines(cli.ok("alice", "--json", "propose", "bob", "--title", "Tuesday",
        "--text-file", terms.toString()).out());
    assertThat(proposed).hasSize(1);
    String id = proposed.get(0).get("id").asText();
    assertThat(id).matches("[0-9a-f]{32}");
    List<JsonNode> agreements = ofType(lines(cli.ok("alice", "--json", "agreements").out()), "agreement");
    assertThat(agreements).hasSize(1);
    assertThat(agreements.get(0).get("id").asText()).isEqualTo(id);
    assertThat(agreements.get(0).get("contact").asText()).isEqualTo("bob");
    assertThat(agreements.get(0).get("title").asText()).isEqualTo("Tuesday");
    assertThat(agreements.get(0).get("status").asText()).isEqualTo("proposed");
    assertThat(agreements.get(0).get("proposedByMe").asBoolean()).isTrue();
  }

  @Test
  void errorsAreOneObjectWithTheTextFormsExitCode() throws Exception {
    CliHarness.Run text = cli.peer("alice", "send", "nobody", "hi");
    CliHarness.Run json = cli.peer("alice", "--json", "send", "nobody", "hi");
    assertThat(text.exit()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(json.exit()).isEqualTo(text.exit());
    List<JsonNode> out = lines(json.out());
    assertThat(out).hasSize(1);
    assertThat(out.get(0).get("type").asText()).isEqualTo("error");
    assertThat(out.get(0).get("code").asInt()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat("error: " + out.get(0).get("message").asText()).isEqualTo(text.errorLine());
    assertThat(json.err()).isEmpty();

    // A usage error found by the parser, and a missing --state.
    CliHarness.Run usage = cli.peer("alice", "--json", "send", "bob");
    assertThat(usage.exit()).isEqualTo(cli.peer("alice", "send", "bob").exit()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(lines(usage.out())).singleElement().satisfies(e -> {
      assertThat(e.get("type").asText()).isEqualTo("error");
      assertThat(e.get("message").asText()).contains("TEXT");
    });
    CliHarness.Run noState = cli.run(List.of("peer", "--json", "contacts"));
    assertThat(noState.exit()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(lines(noState.out())).singleElement()
        .satisfies(e -> assertThat(e.get("message").asText()).contains("--state"));

    // The relay's key does not match its address: exit 4 in both forms.
    String forged = "bcr://" + "A".repeat(43) + address.substring(address.indexOf('@'));
    CliHarness.Run untrusted = cli.peer("dave", "--json", "invite", "--relay", forged, "--label", "x");
    assertThat(untrusted.exit()).isEqualTo(ExitCodes.UNTRUSTED_RELAY);
    assertThat(lines(untrusted.out())).singleElement()
        .satisfies(e -> assertThat(e.get("code").asInt()).isEqualTo(ExitCodes.UNTRUSTED_RELAY));
  }
}
