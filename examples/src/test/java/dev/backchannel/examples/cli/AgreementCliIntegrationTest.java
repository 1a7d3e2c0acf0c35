package dev.backchannel.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agreement commands as a script drives them, two parties as separate processes: propose,
 * agreements, sign both ways, export on both sides, {@code backchannel verify} on the files; a
 * rejection; the fixed words of every line and the exit codes.
 */
@Timeout(value = 400, unit = TimeUnit.SECONDS)
class AgreementCliIntegrationTest {
  @TempDir Path dir;
  private CliHarness cli;

  @AfterEach
  void stop() {
    if (cli != null) {
      cli.close();
    }
  }

  @Test
  void proposeSignExportVerifyAndReject() throws Exception {
    cli = new CliHarness(dir);
    cli.startRelay();
    cli.befriend("minister", "envoy");
    Path text = dir.resolve("terms.txt");
    Files.writeString(text, "1. Both sides hold their positions.\r\n2. Talks resume in May.\r\n");

    String proposed = cli.ok("minister", "propose", "envoy", "--title", "Ceasefire terms", "--text-file",
        text.toString(), "--as", "minister").out().strip();
    assertThat(proposed).matches("agreement: [0-9a-f]{32}");
    String id = proposed.substring("agreement: ".length());
    assertThat(cli.ok("minister", "agreements").out().strip())
        .isEqualTo("agreement: " + id + " with: envoy title: Ceasefire terms status: proposed");

    String waiting = "agreement: " + id + " with: minister title: Ceasefire terms status: awaiting-signature";
    assertThat(cli.receiveUntil(waiting, "envoy")).contains(waiting);
    assertThat(cli.ok("envoy", "agreements").out().strip()).isEqualTo(waiting);
    assertThat(cli.ok("envoy", "receive", "--timeout", "2").out()).as("printed once across runs").doesNotContain(waiting);

    // The proposer cannot sign first; an unknown id is bad input.
    assertThat(cli.peer("minister", "sign", id).exit()).isEqualTo(2);
    CliHarness.Run unknown = cli.peer("envoy", "sign", "0".repeat(32));
    assertThat(unknown.exit()).isEqualTo(2);
    assertThat(unknown.errorLine()).startsWith("error: ");

    assertThat(cli.ok("envoy", "sign", id).out().strip()).isEqualTo("signed: " + id + " status: proposed");
    cli.receiveUntil("agreement: " + id + " with: envoy title: Ceasefire terms status: awaiting-signature", "minister");
    assertThat(cli.ok("minister", "sign", id).out().strip()).isEqualTo("signed: " + id + " status: complete");
    cli.receiveUntil("agreement: " + id + " with: minister title: Ceasefire terms status: complete", "envoy");

    Path atMinister = dir.resolve("minister.bcagree");
    Path atEnvoy = dir.resolve("envoy.bcagree.asc");
    cli.ok("minister", "export", id, "--out", atMinister.toString());
    cli.ok("envoy", "export", id, "--out", atEnvoy.toString());
    assertThat(Files.readString(atEnvoy, StandardCharsets.US_ASCII)).startsWith("-----BEGIN BACKCHANNEL AGREEMENT-----");
    String minFp = fingerprint("minister");
    String envFp = fingerprint("envoy");
    for (Path f : List.of(atMinister, atEnvoy)) {
      CliHarness.Run v = cli.run(List.of("verify", f.toString(), "--text", text.toString()));
      assertThat(v.exit()).as(v.out() + v.err()).isZero();
      assertThat(v.out().lines().toList()).containsExactlyInAnyOrder("valid: Ceasefire terms",
          "signed-by: " + minFp + " minister", "signed-by: " + envFp + " envoy");
    }
    Path other = dir.resolve("other.txt");
    Files.writeString(other, "1. Both sides withdraw.\n");
    CliHarness.Run wrongText = cli.run(List.of("verify", atMinister.toString(), "--text", other.toString()));
    assertThat(wrongText.exit()).isEqualTo(1);
    assertThat(wrongText.out()).startsWith("invalid: ");

    // A second agreement, rejected by the envoy: both sides show it rejected.
    String second = cli.ok("minister", "propose", "envoy", "--title", "Annex", "--text-file", text.toString())
        .out().strip().substring("agreement: ".length());
    cli.receiveUntil("agreement: " + second + " with: minister title: Annex status: awaiting-signature", "envoy");
    assertThat(cli.peer("envoy", "export", second, "--out", dir.resolve("x").toString()).exit())
        .as("nothing signed: nothing to export").isEqualTo(2);
    assertThat(cli.ok("envoy", "reject", second).out().strip()).isEqualTo("rejected: " + second);
    assertThat(cli.peer("envoy", "sign", second).exit()).isEqualTo(2);
    cli.receiveUntil("agreement: " + second + " with: envoy title: Annex status: rejected", "minister");
    assertThat(cli.ok("minister", "agreements").out().lines().toList()).containsExactly(
        "agreement: " + id + " with: envoy title: Ceasefire terms status: complete",
        "agreement: " + second + " with: envoy title: Annex status: rejected");
    // Bad input: a text file that is not UTF-8.
    Path binary = dir.resolve("binary.txt");
    Files.write(binary, new byte[] {(byte) 0xff, (byte) 0xfe, 0});
    assertThat(cli.peer("minister", "propose", "envoy", "--title", "T", "--text-file", binary.toString()).exit())
        .isEqualTo(2);
  }

  private String fingerprint(String who) throws Exception {
    String out = cli.ok(who, "fingerprint").out().strip();
    return out.substring(out.lastIndexOf(' ') + 1);
  }
}
