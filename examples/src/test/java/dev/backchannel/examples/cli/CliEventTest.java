package dev.backchannel.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every kind of event in both forms: the text line the fixed contract prints, and a JSON line
 * that parses back to the same values, however odd the strings.
 */
class CliEventTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ODD = "a\nb \"c\" \\ \t\u0000\u001f \u00e9 \u65e5 \ud83d\udd12 \u2028 \u202e";
  private static final Instant T = Instant.parse("2026-12-03T14:56:34Z");
  private static final String ID = "0123456789abcdef0123456789abcdef";
  /** Equal nodes, or numbers of equal value (a parsed 4 is an int, a written one a long). */
  private static final java.util.Comparator<JsonNode> NUMBERS_BY_VALUE = (a, b) -> a.equals(b)
      || (a.isNumber() && b.isNumber() && a.decimalValue().compareTo(b.decimalValue()) == 0) ? 0 : 1;

  private static List<CliEvent> all() {
    return List.of(
        new CliEvent.Contact("bob", "12345 67890", false, null, true),
        new CliEvent.Contact("bob", "12345 67890", true, "mediator", false),
        new CliEvent.Invitation("bc1-xyz", "bob", T, null),
        new CliEvent.Invitation("bc1-xyz", "bob", T, "\u2588\u2588\n\u2584\u2580\n"),
        new CliEvent.Sent("bob", 4),
        new CliEvent.Received("bob", 5, T, T.plusSeconds(1), ODD),
        new CliEvent.Verified("bob"),
        new CliEvent.IntroductionProposed(ID, "mediator", "envoy", "you two should talk", T),
        new CliEvent.IntroductionProposed(ID, "mediator", "envoy", "", T),
        new CliEvent.Introduced(ID, "minister", "envoy", T),
        new CliEvent.IntroductionAnswered(ID, true, "envoy"),
        new CliEvent.IntroductionAnswered(ID, false, null),
        new CliEvent.AgreementState(ID, "envoy", "Terms", "awaiting-signature", false, T, false),
        new CliEvent.AgreementState(ID, "envoy", "Terms", "proposed", true, T, true),
        new CliEvent.Signed(ID, "complete"),
        new CliEvent.Rejected(ID),
        new CliEvent.Exported(ID, "complete", "out.bcagree"),
        new CliEvent.Fingerprint("ab01"),
        new CliEvent.GapSeen("bob", 2, 3),
        new CliEvent.Delivery("bob", 4),
        new CliEvent.Unconfirmed("the relay is down"),
        new CliEvent.Failure(2, ODD));
  }

  @Test
  void theTextFormsLinesAreTheFixedContract() {
    assertThat(all().stream().map(CliEvent::text).toList()).containsExactly(
        "contact: bob safety-number: 12345 67890",
        "bob safety-number: 12345 67890 verified introduced-by: mediator",
        "invitation: bc1-xyz",
        "invitation: bc1-xyz\n\u2588\u2588\n\u2584\u2580",
        null,
        "bob: " + ODD,
        "verified: bob",
        "introduction: " + ID + " from: mediator proposes: envoy note: you two should talk",
        "introduction: " + ID + " from: mediator proposes: envoy",
        "introduction: " + ID,
        "accepted: " + ID,
        "declined: " + ID,
        "agreement: " + ID + " with: envoy title: Terms status: awaiting-signature",
        "agreement: " + ID,
        "signed: " + ID + " status: complete",
        "rejected: " + ID,
        "exported: " + ID + " status: complete to: out.bcagree",
        "fingerprint: ab01",
        null,
        null,
        "(not yet confirmed by the relay: the relay is down)",
        "error: " + ODD);
  }

  @Test
  void eachEventIsOneAsciiJsonLineThatParsesBackExactly() throws Exception {
    StringWriter buf = new StringWriter();
    JsonOutput out = new JsonOutput(new PrintWriter(buf));
    all().forEach(out::emit);
    List<String> lines = buf.toString().lines().toList();
    assertThat(lines).hasSize(all().size());
    for (int i = 0; i < lines.size(); i++) {
      CliEvent e = all().get(i);
      assertThat(lines.get(i)).matches("[\\x20-\\x7e]+");
      JsonNode n = JSON.readTree(lines.get(i));
      assertThat(n.equals(NUMBERS_BY_VALUE, e.json())).as(lines.get(i) + " vs " + e.json()).isTrue();
      assertThat(n.get("type").asText()).isEqualTo(e.type());
    }
    JsonNode message = JSON.readTree(lines.get(5));
    assertThat(message.get("text").asText()).isEqualTo(ODD);
    assertThat(message.get("sentAt").asText()).isEqualTo("2026-12-03T14:56:34Z");
    assertThat(JSON.readTree(lines.get(lines.size() - 1)).get("message").asText()).isEqualTo(ODD);
  }

  @Test
  void theTextFormPutsFailuresOnStandardErrorAndSkipsWhatItHasNoLineFor() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    TextOutput text = new TextOutput(new PrintWriter(out), new PrintWriter(err));
    text.emit(new CliEvent.Sent("bob", 1));
    text.emit(new CliEvent.Verified("bob"));
    text.emit(new CliEvent.Failure(3, "the relay is down"));
    assertThat(out.toString()).isEqualTo("verified: bob" + System.lineSeparator());
    assertThat(err.toString()).isEqualTo("error: the relay is down" + System.lineSeparator());
  }
}
